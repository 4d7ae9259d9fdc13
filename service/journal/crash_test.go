package journal

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/internal/childproc"
)

// The child process of TestCrashBetweenSendAndAnswer reads these.
const (
	envCrashDir = "OCARD_JOURNAL_CRASH_DIR"
	envCrashURL = "OCARD_JOURNAL_CRASH_URL"
	crashOrder  = "000030261204000100042"
)

// TestCrashChild is the child side of TestCrashBetweenSendAndAnswer: it redeems
// through a real client against the parent's server, which never answers, and is
// killed there. Run alone it does nothing.
func TestCrashChild(t *testing.T) {
	dir, base := os.Getenv(envCrashDir), os.Getenv(envCrashURL)
	if dir == "" {
		t.Skip("child of TestCrashBetweenSendAndAnswer only")
	}
	j, _, _, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := service.NewClient(service.Config{BaseURL: base, TokenURL: base + "/oauth/v1/token",
		ClientID: "id", ClientSecret: "secret", Timeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	res, err := NewRedeemer(j, c).Redeem(context.Background(), pointsReq(crashOrder, 10))
	t.Fatalf("the parent should have killed this process; got %+v %v", res, err)
}

// crashTenant is a token endpoint and a redeem endpoint that counts POSTs. While
// hang is set, a POST is announced on posted and never answered.
type crashTenant struct {
	srv    *httptest.Server
	posts  atomic.Int64
	hang   atomic.Bool
	posted chan struct{}
}

func newCrashTenant(t *testing.T) *crashTenant {
	ct := &crashTenant{posted: make(chan struct{}, 1)}
	ct.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/oauth/v1/token":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"T1","expires_in":2592000,"token_type":"Bearer"}`)
		case "/v1/ticket/redeem-ocard-member-tickets-points":
			n := ct.posts.Add(1)
			b, _ := io.ReadAll(r.Body)
			want := fmt.Sprintf(`{"shop_id":"000030","order_id":"%s","ticket_ids":[""],"mobile":"0903515908","points":10}`, crashOrder)
			if string(b) != want {
				t.Errorf("POST %d body %s", n, b)
			}
			if ct.hang.Load() {
				ct.posted <- struct{}{}
				<-r.Context().Done() // the child dies first; its connection closes
				return
			}
			w.WriteHeader(http.StatusNoContent)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(ct.srv.Close)
	return ct
}

// TestCrashBetweenSendAndAnswer kills a real child process (SIGKILL on Unix)
// after its POST reached the server and before any answer, then "restarts": the
// journal shows the order pending (reported as unknown), no line is torn, and the
// cashier's retry with the same order id completes it with one more POST.
func TestCrashBetweenSendAndAnswer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	ct := newCrashTenant(t)
	ct.hang.Store(true)

	cmd, err := childproc.Start(func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), envCrashDir+"="+dir, envCrashURL+"="+ct.srv.URL)
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		return cmd
	}, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-ct.posted:
	case err := <-exited:
		t.Fatalf("child exited before its POST arrived: %v", err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-exited

	j, problems, pending, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if len(problems) != 0 {
		t.Errorf("problems after the crash: %v", problems)
	}
	if len(pending) != 1 || pending[0].OrderID != crashOrder || Shown(pending[0].State) != Unknown {
		t.Fatalf("pending after the crash: %+v", pending)
	}

	ct.hang.Store(false)
	c, err := service.NewClient(service.Config{BaseURL: ct.srv.URL, TokenURL: ct.srv.URL + "/oauth/v1/token",
		ClientID: "id", ClientSecret: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := NewRedeemer(j, c).Redeem(context.Background(), pointsReq(crashOrder, 10))
	if err != nil || res.State != Done {
		t.Fatalf("retry: %+v %v", res, err)
	}
	if ct.posts.Load() != 2 {
		t.Errorf("%d POSTs, want 2 (the child's and the retry)", ct.posts.Load())
	}
	entries, _, _ := j.Entries(time.Time{})
	var states []State
	for _, e := range entries {
		states = append(states, e.State)
	}
	if fmt.Sprint(states) != "[pending pending done]" {
		t.Errorf("journal states %v", states)
	}
}
