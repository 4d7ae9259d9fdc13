package journal

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
)

// benchHistoryLines is the history BenchmarkConfirmToRequestSent starts from:
// about a year of a busy desk.
const benchHistoryLines = 100_000

// writeBenchHistory writes lines of history ending now: orders spread over a
// year, most done (2 lines), some failed, some unknown then resolved (3 lines),
// and 10 still unknown.
func writeBenchHistory(b *testing.B, j *Journal, now time.Time) {
	f, err := os.OpenFile(j.Path(), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	rng := rand.New(rand.NewPCG(1, 2))
	enc := json.NewEncoder(w)
	start := now.AddDate(-1, 0, 0)
	for n, lines := 0, 0; lines < benchHistoryLines; n++ {
		at := start.Add(time.Duration(float64(now.Sub(start)) * float64(lines) / benchHistoryLines))
		mobile := fmt.Sprintf("09%08d", rng.IntN(5000))
		e := Entry{Time: at.UTC(), OrderID: fmt.Sprintf("000030%s%016d", at.Format("060102"), n), State: Pending,
			ShopID: "000030", Mobile: service.MaskMobile(mobile), MobileKey: j.MobileKey(mobile),
			Points: int64(50 * (1 + rng.IntN(6))), What: "Latte"}
		states := []State{Done}
		switch r := rng.IntN(100); {
		case benchHistoryLines-lines < 40:
			states = []State{Unknown} // the unresolved few, recent
		case r < 5:
			states = []State{Failed}
		case r < 7:
			states = []State{Unknown, Resolved}
		}
		enc.Encode(e)
		lines++
		for _, s := range states {
			e.State = s
			if s == Resolved {
				e.Resolution = ResolutionCharged
			}
			enc.Encode(e)
			lines++
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
}

// BenchmarkConfirmToRequestSent measures what a cashier's confirm costs before
// the request leaves (issue 21 point 5): Redeem with no order id (the twin check,
// a new order id, the journal read, the pending line fsynced, the send lock) until
// the tenant has received the POST, on a journal that had 100,000 lines of a
// year's history when it was opened (the first open rotated them into archives:
// reported as first-open-ms). The journal is on the test's temporary folder
// (a real disk here, so the fsync is paid). Reported: the median, in ms.
func BenchmarkConfirmToRequestSent(b *testing.B) {
	dir := b.TempDir()
	salts := &memSalts{m: map[string][]byte{}}
	j, _, _, err := OpenWith(dir, Options{Salt: salts})
	if err != nil {
		b.Fatal(err)
	}
	writeBenchHistory(b, j, time.Now())
	j.Close()
	t0 := time.Now()
	j, _, unresolved, err := OpenWith(dir, Options{Salt: salts})
	firstOpen := time.Since(t0)
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	active, _, _ := ReadFile(j.Path())
	archives, _ := filepath.Glob(filepath.Join(dir, archivePrefix+"*"))

	received := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/v1/token" {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"access_token":"T","expires_in":3600,"token_type":"Bearer"}`))
			return
		}
		received <- struct{}{} // the headers and the body have arrived
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	c, err := service.NewClient(service.Config{BaseURL: srv.URL, TokenURL: srv.URL + "/oauth/v1/token", ClientID: "id", ClientSecret: "s"})
	if err != nil {
		b.Fatal(err)
	}
	r := NewRedeemer(j, c)
	confirm := func(i int) time.Duration {
		o := Order{RedeemRequest: service.RedeemRequest{ShopID: "000030", Mobile: fmt.Sprintf("0955%06d", i), Points: 50}, What: "Latte"}
		done := make(chan error, 1)
		start := time.Now()
		go func() {
			res, err := r.Redeem(context.Background(), o)
			if err == nil && res.State != Done {
				err = fmt.Errorf("state %s: %v", res.State, res.Err)
			}
			done <- err
		}()
		<-received
		d := time.Since(start)
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		return d
	}
	confirm(999_999) // the token and the connection, as a desk that has looked the member up
	var times []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		times = append(times, confirm(i))
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(times[len(times)*9/10].Microseconds())/1000, "ms-p90")
	b.ReportMetric(float64(firstOpen.Microseconds())/1000, "first-open-ms")
	b.ReportMetric(float64(len(active)), "active-lines-at-start")
	b.Logf("history %d lines; first open (rotation into %d archives) %v; active file then %d lines, %d unresolved; %d confirms, median %v",
		benchHistoryLines, len(archives), firstOpen, len(active), len(unresolved), len(times), times[len(times)/2])
}

// BenchmarkOpenAtStart is what the journal adds to every start (issue 24: "start does
// not grow with history"): OpenWith and Close on an empty journal, and on one with a
// year's 100,000 lines after the first open has moved them into the archives (that
// first open is BenchmarkConfirmToRequestSent's first-open-ms). The difference between
// the two is what a year of history costs each start.
func BenchmarkOpenAtStart(b *testing.B) {
	for _, history := range []string{"none", "year"} {
		b.Run("history="+history, func(b *testing.B) {
			dir := b.TempDir()
			salts := &memSalts{m: map[string][]byte{}}
			j, _, _, err := OpenWith(dir, Options{Salt: salts})
			if err != nil {
				b.Fatal(err)
			}
			if history == "year" {
				writeBenchHistory(b, j, time.Now())
			}
			j.Close()
			if j, _, _, err = OpenWith(dir, Options{Salt: salts}); err != nil { // the one-time rotation
				b.Fatal(err)
			}
			j.Close()
			active, _, _ := ReadFile(j.Path())
			b.ReportMetric(float64(len(active)), "active-lines")
			b.ReportAllocs()
			for b.Loop() {
				j, _, _, err := OpenWith(dir, Options{Salt: salts})
				if err != nil {
					b.Fatal(err)
				}
				j.Close()
			}
		})
	}
}
