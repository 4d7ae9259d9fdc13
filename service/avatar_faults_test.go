package service_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
)

// Hostile avatars: what TestAvatarFetch* in avatar_test.go do not already try.
// Every case must end in an error (the window then keeps its placeholder), within
// the fetcher's timeout, with bounded memory.

const (
	// avatarHuge is the 50 MB body of the issue, 25 times the default cap.
	avatarHuge = 50_000_000
	// avatarMaxGrowth bounds what refusing a hostile avatar may allocate; reading
	// or decoding it would cost 50 MB or more.
	avatarMaxGrowth = 16 << 20
)

// fetchBounded fetches url with f and fails when that allocates more than
// avatarMaxGrowth or does not come back.
func fetchBounded(t *testing.T, f *service.AvatarFetcher, url string) error {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	done := make(chan error, 1)
	go func() {
		_, err := f.Fetch(context.Background(), url)
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(20 * time.Second): // a hang detector, far beyond any timeout here
		t.Fatal("the avatar fetch hung")
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > avatarMaxGrowth {
		t.Errorf("refusing the avatar allocated %d MiB, want under %d MiB", grew>>20, avatarMaxGrowth>>20)
	}
	return err
}

// hugeAvatar serves a 50 MB "image" that starts like a PNG, from one small buffer,
// with or without a Content-Length, and stops when the client hangs up.
func hugeAvatar(withLength bool) http.HandlerFunc {
	chunk := make([]byte, 64<<10)
	copy(chunk, "\x89PNG\r\n\x1a\n")
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		if withLength {
			w.Header().Set("Content-Length", fmt.Sprint(avatarHuge))
		}
		for sent := 0; sent < avatarHuge && r.Context().Err() == nil; sent += len(chunk) {
			if _, err := w.Write(chunk[:min(len(chunk), avatarHuge-sent)]); err != nil {
				return
			}
		}
	}
}

// pngWithData is a complete PNG claiming w×h 8-bit RGBA pixels whose IDAT holds
// the zlib stream of rows of zeros: a real decompression bomb, a few hundred
// kilobytes that inflate to w×h×4 bytes.
func pngWithData(t *testing.T, w, h uint32, rows int) []byte {
	t.Helper()
	var idat bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	row := make([]byte, 1+4*int(w)) // filter byte and the pixels
	for range rows {
		if _, err := zw.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		_ = binary.Write(&buf, binary.BigEndian, uint32(len(data)))
		c := append([]byte(typ), data...)
		buf.Write(c)
		_ = binary.Write(&buf, binary.BigEndian, crc32.ChecksumIEEE(c))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6
	chunk("IHDR", ihdr)
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return buf.Bytes()
}

// jpegClaiming is a small real JPEG whose frame header (SOF0) is changed to claim
// w×h pixels.
func jpegClaiming(t *testing.T, w, h uint16) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, avatarTestImage(8, 8), nil); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	i := bytes.Index(b, []byte{0xFF, 0xC0})
	if i < 0 {
		t.Fatal("no SOF0 marker")
	}
	binary.BigEndian.PutUint16(b[i+5:], h)
	binary.BigEndian.PutUint16(b[i+7:], w)
	return b
}

// gifHeader is a GIF whose logical screen claims w×h pixels.
func gifHeader(w, h uint16) []byte {
	b := []byte("GIF89a\x00\x00\x00\x00\x00\x00\x00")
	binary.LittleEndian.PutUint16(b[6:], w)
	binary.LittleEndian.PutUint16(b[8:], h)
	return append(b, ",\x00\x00\x00\x00"...) // the start of an image descriptor
}

func TestAvatarHostileBodies(t *testing.T) {
	serve := func(body []byte, contentType string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", contentType)
			_, _ = w.Write(body)
		}
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		kind    service.Kind
		detail  string
	}{
		{"empty body", serve(nil, "image/png"), service.KindMalformed, "not an image"},
		{"HTML labelled image/png", serve([]byte("<html><body>Access denied</body></html>"), "image/png"), service.KindMalformed, "not an image"},
		{"SVG (not a supported format)", serve([]byte(`<svg xmlns="http://www.w3.org/2000/svg" width="9e9" height="9e9"/>`), "image/svg+xml"), service.KindMalformed, "not an image"},
		{"50 MB with Content-Length", hugeAvatar(true), service.KindMalformed, "larger than"},
		{"50 MB chunked", hugeAvatar(false), service.KindMalformed, "larger than"},
		{"PNG bomb 20000×20000 with data", serve(pngWithData(t, 20000, 20000, 64), "image/png"), service.KindMalformed, "20000×20000"},
		{"PNG 65535×65535 header", serve(avatarPNGBomb(65535, 65535), "image/png"), service.KindMalformed, "over the limit"},
		{"PNG 1×400000000 header", serve(avatarPNGBomb(1, 400_000_000), "image/png"), service.KindMalformed, "over the limit"},
		{"JPEG 65535×65535 header", serve(jpegClaiming(t, 65535, 65535), "image/jpeg"), service.KindMalformed, "over the limit"},
		{"GIF 65535×65535 screen", serve(gifHeader(65535, 65535), "image/gif"), service.KindMalformed, "over the limit"},
		// Inside the pixel limit but the data stops: a decode error, not a crash.
		{"PNG 1000×1000 truncated data", serve(pngWithData(t, 1000, 1000, 10), "image/png"), service.KindMalformed, "could not be decoded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			t.Cleanup(srv.Close)
			err := fetchBounded(t, service.NewAvatarFetcher(service.AvatarOptions{Timeout: 5 * time.Second}), srv.URL+"/a.png")
			if e := avatarWantKind(t, err, tt.kind); !strings.Contains(e.Detail, tt.detail) {
				t.Errorf("detail %q lacks %q", e.Detail, tt.detail)
			}
		})
	}
}

func TestAvatarHostileConnections(t *testing.T) {
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	png := avatarPNG(t, 8, 8)
	mux := http.NewServeMux()
	// Headers, half the image, then silence.
	mux.HandleFunc("/stall", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(png)))
		_, _ = w.Write(png[:len(png)/2])
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	})
	// One byte every 5 ms, for ever: only a deadline on the whole fetch ends it.
	mux.HandleFunc("/trickle", func(w http.ResponseWriter, r *http.Request) {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		_, _ = w.Write(png[:8])
		for {
			select {
			case <-r.Context().Done():
				return
			case <-stop:
				return
			case <-tick.C:
				if _, err := w.Write([]byte{0}); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
		}
	})
	// The connection drops in the middle of the image.
	mux.HandleFunc("/reset", func(w http.ResponseWriter, _ *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: %d\r\n\r\n", len(png))
		_, _ = buf.Write(png[:len(png)/2])
		_ = buf.Flush()
		_ = conn.Close()
	})
	for _, scheme := range []string{"file:///etc/passwd", "data:image/png;base64,iVBORw0KGgo=", "ftp://127.0.0.1/a.png", "gopher://127.0.0.1/", "javascript:alert(1)"} {
		mux.HandleFunc("/to/"+strings.SplitN(scheme, ":", 2)[0], func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, scheme, http.StatusFound)
		})
	}
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	f := service.NewAvatarFetcher(service.AvatarOptions{Timeout: 300 * time.Millisecond})
	for _, tt := range []struct {
		path string
		kind service.Kind
	}{
		{"/stall", service.KindTimeout},
		{"/trickle", service.KindTimeout},
		{"/reset", service.KindNetwork},
		{"/loop", service.KindServer},
		{"/to/file", service.KindServer},
		{"/to/data", service.KindServer},
		{"/to/ftp", service.KindServer},
		{"/to/gopher", service.KindServer},
		{"/to/javascript", service.KindServer},
	} {
		t.Run(strings.ReplaceAll(strings.TrimPrefix(tt.path, "/"), "/", " "), func(t *testing.T) {
			err := fetchBounded(t, f, srv.URL+tt.path)
			avatarWantKind(t, err, tt.kind)
			if msg := err.Error(); !strings.HasPrefix(msg, "avatar: ") || strings.Contains(msg, "passwd") {
				t.Errorf("message %q", msg)
			}
		})
	}
	// Nothing failed is cached: the same URL is tried again, and fails again.
	if _, err := f.Fetch(context.Background(), srv.URL+"/reset"); !errors.Is(err, service.ErrNetwork) {
		t.Errorf("second fetch of a broken avatar: %v", err)
	}
}

// TestAvatarHostileSchemes: URLs that are not http(s) are refused before any I/O
// (avatarNoIO fails the test on a request), whatever their spelling.
func TestAvatarHostileSchemes(t *testing.T) {
	f := service.NewAvatarFetcher(service.AvatarOptions{Transport: avatarNoIO{t}})
	for _, u := range []string{
		"FILE:///etc/passwd", "file://localhost/etc/passwd", "file:C:/Windows/win.ini", `\\server\share\a.png`,
		"smb://server/share/a.png", "ldap://127.0.0.1/", "chrome://settings", "about:blank", "blob:http://x/1",
		" http://127.0.0.1/a.png", "http:/127.0.0.1/a.png", "//127.0.0.1/a.png",
	} {
		_, err := f.Fetch(context.Background(), u)
		avatarWantKind(t, err, service.KindInvalidInput)
	}
}

// TestAvatarPlainHTTPOnlyOnLoopback: a member's photo is fetched over TLS, or over
// plain http from this machine only; refused before any traffic.
func TestAvatarPlainHTTPOnlyOnLoopback(t *testing.T) {
	f := service.NewAvatarFetcher(service.AvatarOptions{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		t.Fatal("a request was sent")
		return nil, nil
	})})
	for _, u := range []string{"http://cdn.example.com/a.png", "http://192.168.1.10/a.png"} {
		if _, err := f.Fetch(context.Background(), u); !errors.Is(err, service.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want invalid input", u, err)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
