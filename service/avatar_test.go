package service_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
)

// avatarPNG encodes a w×h image, the kind of avatar a CDN serves.
func avatarPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, avatarTestImage(w, h)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func avatarTestImage(w, h int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x * 4), uint8(y * 4), 160, 255})
		}
	}
	return img
}

// avatarPNGBomb is a tiny PNG (signature and IHDR only) that claims w×h pixels.
func avatarPNGBomb(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA: 4 bytes a pixel once decoded
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	_ = binary.Write(&buf, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	buf.Write(chunk)
	_ = binary.Write(&buf, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return buf.Bytes()
}

// avatarServer serves body with contentType and counts requests.
func avatarServer(t *testing.T, contentType string, body []byte) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Method != http.MethodGet || r.Header.Get("User-Agent") != service.UserAgent() {
			t.Errorf("request %s with User-Agent %q", r.Method, r.Header.Get("User-Agent"))
		}
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func avatarWantKind(t *testing.T, err error, want service.Kind) *service.Error {
	t.Helper()
	var e *service.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want a *service.Error of kind %v", err, err, want)
	}
	if e.Kind != want || e.Op != "avatar" {
		t.Fatalf("error = %v (kind %v, op %q), want kind %v, op avatar", err, e.Kind, e.Op, want)
	}
	return e
}

func TestAvatarFetchFormats(t *testing.T) {
	var jpg, gifBuf bytes.Buffer
	if err := jpeg.Encode(&jpg, avatarTestImage(40, 30), nil); err != nil {
		t.Fatal(err)
	}
	if err := gif.Encode(&gifBuf, avatarTestImage(20, 10), nil); err != nil {
		t.Fatal(err)
	}
	// A 1×1 lossless WebP, the probe image browsers' feature tests use.
	webp, _ := base64.StdEncoding.DecodeString("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
	tests := []struct {
		name, contentType string
		body              []byte
		w, h              int
	}{
		{"png", "image/png", avatarPNG(t, 64, 48), 64, 48},
		{"jpeg", "image/jpeg", jpg.Bytes(), 40, 30},
		{"gif", "image/gif", gifBuf.Bytes(), 20, 10},
		{"webp", "image/webp", webp, 1, 1},
		// The type header is not trusted either way: the bytes decide.
		{"png labelled as octet-stream", "application/octet-stream", avatarPNG(t, 8, 8), 8, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := avatarServer(t, tt.contentType, tt.body)
			img, err := service.NewAvatarFetcher(service.AvatarOptions{}).Fetch(context.Background(), srv.URL+"/a")
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() != tt.w || b.Dy() != tt.h {
				t.Errorf("bounds = %v, want %d×%d", b, tt.w, tt.h)
			}
		})
	}
}

func TestAvatarFetchRefusesBadBodies(t *testing.T) {
	tests := []struct {
		name   string
		opts   service.AvatarOptions
		body   []byte
		detail string // a word the Detail must contain, to tell the reasons apart
	}{
		{"not an image", service.AvatarOptions{}, []byte("<html>not found</html>"), "not an image"},
		{"truncated png", service.AvatarOptions{}, avatarPNG(t, 32, 32)[:60], "could not be decoded"},
		{"body over MaxBytes", service.AvatarOptions{MaxBytes: 100}, avatarPNG(t, 64, 64), "larger than 100 bytes"},
		{"20000×20000 header bomb", service.AvatarOptions{}, avatarPNGBomb(20000, 20000), "20000×20000 pixels"},
		{"over a small MaxPixels", service.AvatarOptions{MaxPixels: 100}, avatarPNG(t, 20, 20), "20×20 pixels"},
		{"zero width", service.AvatarOptions{}, avatarPNGBomb(0, 10), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := avatarServer(t, "image/png", tt.body)
			_, err := service.NewAvatarFetcher(tt.opts).Fetch(context.Background(), srv.URL)
			e := avatarWantKind(t, err, service.KindMalformed)
			if !strings.Contains(e.Detail, tt.detail) {
				t.Errorf("detail = %q, want it to mention %q", e.Detail, tt.detail)
			}
		})
	}
}

func TestAvatarFetchExactlyMaxBytesIsAccepted(t *testing.T) {
	body := avatarPNG(t, 16, 16)
	srv, _ := avatarServer(t, "image/png", body)
	_, err := service.NewAvatarFetcher(service.AvatarOptions{MaxBytes: int64(len(body))}).Fetch(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
}

func TestAvatarFetchStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write(avatarPNG(t, 4, 4)) // an image, but under a 404: refused
	}))
	defer srv.Close()
	_, err := service.NewAvatarFetcher(service.AvatarOptions{}).Fetch(context.Background(), srv.URL)
	if e := avatarWantKind(t, err, service.KindServer); e.StatusCode != http.StatusNotFound {
		t.Errorf("status = %d, want 404", e.StatusCode)
	}
}

// avatarStallingServer never answers until the client goes away. Each request is
// announced on the returned channel, and its end on the second.
func avatarStallingServer(t *testing.T) (*httptest.Server, chan struct{}, chan struct{}) {
	arrived, left := make(chan struct{}, 10), make(chan struct{}, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done()
		left <- struct{}{}
	}))
	t.Cleanup(srv.Close)
	return srv, arrived, left
}

func TestAvatarFetchTimeout(t *testing.T) {
	srv, _, _ := avatarStallingServer(t)
	f := service.NewAvatarFetcher(service.AvatarOptions{Timeout: 50 * time.Millisecond})
	_, err := f.Fetch(context.Background(), srv.URL)
	avatarWantKind(t, err, service.KindTimeout)
	if !errors.Is(err, service.ErrTimeout) {
		t.Error("errors.Is(err, ErrTimeout) = false")
	}
}

func TestAvatarFetchCallerCancels(t *testing.T) {
	srv, arrived, left := avatarStallingServer(t)
	f := service.NewAvatarFetcher(service.AvatarOptions{Timeout: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := f.Fetch(ctx, srv.URL)
		errc <- err
	}()
	<-arrived // the download is under way
	cancel()
	err := <-errc
	avatarWantKind(t, err, service.KindNetwork)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("errors.Is(err, context.Canceled) = false for %v", err)
	}
	// With nobody waiting any more, the download itself stops rather than holding
	// a connection for the fetcher's hour.
	<-left
}

func TestAvatarFetchOneCallerLeavingDoesNotFailTheOther(t *testing.T) {
	var hits atomic.Int64
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	body := avatarPNG(t, 3, 3)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			arrived <- struct{}{}
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	f := service.NewAvatarFetcher(service.AvatarOptions{})
	impatient, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 2)
	go func() { _, err := f.Fetch(impatient, srv.URL); errc <- err }()
	<-arrived
	go func() { _, err := f.Fetch(context.Background(), srv.URL); errc <- err }()
	// The patient caller may join the download or start its own; either way it
	// must get the image.
	cancel()
	first := <-errc
	close(release)
	second := <-errc
	if (first == nil) == (second == nil) {
		t.Errorf("errors %v and %v: want exactly the impatient caller to fail", first, second)
	}
}

func TestAvatarFetchRedirects(t *testing.T) {
	body := avatarPNG(t, 10, 10)
	mux := http.NewServeMux()
	// /hop/N redirects N more times before the image.
	mux.HandleFunc("/hop/{n}", func(w http.ResponseWriter, r *http.Request) {
		switch n := r.PathValue("n"); n {
		case "0":
			_, _ = w.Write(body)
		default:
			http.Redirect(w, r, "/hop/"+string(rune(n[0]-1)), http.StatusFound)
		}
	})
	mux.HandleFunc("/to-file", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	f := service.NewAvatarFetcher(service.AvatarOptions{})
	if _, err := f.Fetch(context.Background(), srv.URL+"/hop/3"); err != nil {
		t.Errorf("3 redirects: %v", err)
	}
	_, err := f.Fetch(context.Background(), srv.URL+"/hop/4")
	avatarWantKind(t, err, service.KindServer)
	_, err = f.Fetch(context.Background(), srv.URL+"/to-file")
	avatarWantKind(t, err, service.KindServer)
}

// avatarNoIO is a transport that fails the test if the fetcher sends anything.
type avatarNoIO struct{ t *testing.T }

func (a avatarNoIO) RoundTrip(r *http.Request) (*http.Response, error) {
	a.t.Errorf("unexpected request to %s", r.URL)
	return nil, errors.New("no I/O allowed")
}

func TestAvatarFetchRefusesOtherSchemes(t *testing.T) {
	f := service.NewAvatarFetcher(service.AvatarOptions{Transport: avatarNoIO{t}})
	for _, u := range []string{
		"file:///etc/passwd",
		"data:image/png;base64,iVBORw0KGgo=",
		"ftp://example.com/a.png",
		"javascript:alert(1)",
		"/relative/path.png",
		"http://",
		"",
		"http://exa mple.com/a.png",
	} {
		_, err := f.Fetch(context.Background(), u)
		avatarWantKind(t, err, service.KindInvalidInput)
	}
}

func TestAvatarFetchCaches(t *testing.T) {
	srv, hits := avatarServer(t, "image/png", avatarPNG(t, 12, 12))
	f := service.NewAvatarFetcher(service.AvatarOptions{})
	first, err := f.Fetch(context.Background(), srv.URL+"/me.png")
	if err != nil {
		t.Fatal(err)
	}
	second, err := f.Fetch(context.Background(), srv.URL+"/me.png")
	if err != nil {
		t.Fatal(err)
	}
	if first != second {
		t.Error("the second fetch returned a different image")
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("server hit %d times, want 1", n)
	}
	if _, err := f.Fetch(context.Background(), srv.URL+"/other.png"); err != nil {
		t.Fatal(err)
	}
	if n := hits.Load(); n != 2 {
		t.Errorf("server hit %d times after a second URL, want 2", n)
	}
}

func TestAvatarFetchCacheIsBounded(t *testing.T) {
	srv, hits := avatarServer(t, "image/png", avatarPNG(t, 2, 2))
	f := service.NewAvatarFetcher(service.AvatarOptions{})
	fetch := func(i int) {
		t.Helper()
		if _, err := f.Fetch(context.Background(), srv.URL+"/"+string(rune('A'+i%26))+string(rune('a'+i/26))); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 65 { // one more than the cache holds: the first one is evicted
		fetch(i)
	}
	fetch(0)
	if n := hits.Load(); n != 66 {
		t.Errorf("server hit %d times, want 66 (the oldest entry evicted)", n)
	}
	fetch(64) // still cached
	if n := hits.Load(); n != 66 {
		t.Errorf("server hit %d times, want 66 (recent entry kept)", n)
	}
}

func TestAvatarFetchSharesConcurrentRequests(t *testing.T) {
	release, arrived := make(chan struct{}), make(chan struct{}, 1)
	var hits atomic.Int64
	body := avatarPNG(t, 6, 6)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		select {
		case arrived <- struct{}{}:
		default:
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	f := service.NewAvatarFetcher(service.AvatarOptions{})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := f.Fetch(context.Background(), srv.URL)
			errs <- err
		})
	}
	// Once the one request has reached the server, let it finish.
	<-arrived
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("server hit %d times by concurrent fetches, want 1", n)
	}
}

// TestAvatarFetchShrinksLargeImages: a large photo is scaled down to MaxSide, keeping
// its aspect, before it is returned and cached; a small one is returned as decoded.
func TestAvatarFetchShrinksLargeImages(t *testing.T) {
	tests := []struct {
		name          string
		w, h, maxSide int
		wantW, wantH  int
	}{
		{"landscape, default", 1000, 500, 0, service.DefaultAvatarMaxSide, service.DefaultAvatarMaxSide / 2},
		{"portrait", 300, 600, 100, 50, 100},
		{"square at the limit", 128, 128, 128, 128, 128},
		{"small", 40, 30, 0, 40, 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, hits := avatarServer(t, "image/png", avatarPNG(t, tt.w, tt.h))
			f := service.NewAvatarFetcher(service.AvatarOptions{MaxSide: tt.maxSide})
			img, err := f.Fetch(context.Background(), srv.URL+"/a.png")
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() != tt.wantW || b.Dy() != tt.wantH {
				t.Fatalf("bounds = %v, want %d×%d", b, tt.wantW, tt.wantH)
			}
			// The scaled image keeps the picture: the test image's blue channel is 160
			// everywhere and it is opaque.
			if c := color.NRGBAModel.Convert(img.At(tt.wantW/2, tt.wantH/2)).(color.NRGBA); c.A != 255 || c.B < 155 || c.B > 165 {
				t.Errorf("centre pixel %v, want opaque with blue about 160", c)
			}
			again, err := f.Fetch(context.Background(), srv.URL+"/a.png")
			if err != nil || again != img || hits.Load() != 1 {
				t.Errorf("second fetch: err %v, same image %v, %d requests; want the cached scaled image", err, again == img, hits.Load())
			}
		})
	}
}
