package service

import (
	"bytes"
	"container/list"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	// The formats a member's head_image may come in. webp is registered because
	// golang.org/x/image is already in the module graph (Fyne needs it).
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"
)

// Defaults for AvatarOptions' zero fields.
const (
	DefaultAvatarTimeout   = 5 * time.Second
	DefaultAvatarMaxBytes  = 2 << 20     // 2 MiB: a head shot is a few tens of KiB
	DefaultAvatarMaxPixels = 4096 * 4096 // about 64 MiB once decoded to RGBA
	DefaultAvatarMaxSide   = 256         // the window shows avatars 112 units square
)

const (
	avatarCacheSize    = 64
	avatarCacheBytes   = 32 << 20 // decoded pixels of all cached avatars together (at most 16 MiB at the default MaxSide)
	avatarMaxRedirects = 3
)

// AvatarOptions bounds an AvatarFetcher. Zero fields take the defaults above.
type AvatarOptions struct {
	// Timeout covers one whole fetch: connecting, redirects, headers and body.
	Timeout time.Duration
	// MaxBytes caps the body; a larger image is refused.
	MaxBytes int64
	// MaxPixels caps width×height, checked from the image header before decoding so
	// that a small file claiming a huge size (a decompression bomb) costs nothing.
	MaxPixels int
	// MaxSide caps the width and height of the image returned and cached: a larger
	// one is scaled down once, keeping its aspect. Avatars are shown small, and a
	// 1000×1000 photo would otherwise sit in the cache as 4 MiB of pixels (3.8 MiB
	// more than at 256×256), with the window scaling it down again at every redraw.
	MaxSide int
	// Transport is the HTTP transport; nil means a clone of http.DefaultTransport.
	Transport http.RoundTripper
}

// AvatarFetcher downloads and decodes members' avatars (head_image) for the window.
// It exists because Fyne's URI loader has no timeout, no status check, no size limit
// and no cache. It keeps the last few decoded avatars in memory, and concurrent
// fetches of one URL share a single request. It is safe for concurrent use.
type AvatarFetcher struct {
	client    *http.Client
	timeout   time.Duration
	maxBytes  int64
	maxPixels int
	maxSide   int

	mu          sync.Mutex
	lru         *list.List // of *avatarEntry, most recently used first
	byURL       map[string]*list.Element
	cachedBytes int64 // sum of the entries' sizes
	inflight    map[string]*avatarCall
}

type avatarEntry struct {
	url  string
	img  image.Image
	size int64 // decodedSize(img)
}

// avatarCall is one download that several Fetch calls may wait for.
type avatarCall struct {
	done    chan struct{}
	img     image.Image
	err     error
	waiters int                // guarded by AvatarFetcher.mu
	cancel  context.CancelFunc // stops the download when every waiter has left
}

// errAvatarRedirect marks a redirect the fetcher refused to follow.
var errAvatarRedirect = errors.New("redirect refused")

// NewAvatarFetcher returns a fetcher with the given bounds.
func NewAvatarFetcher(opts AvatarOptions) *AvatarFetcher {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultAvatarTimeout
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultAvatarMaxBytes
	}
	if opts.MaxPixels <= 0 {
		opts.MaxPixels = DefaultAvatarMaxPixels
	}
	if opts.MaxSide <= 0 {
		opts.MaxSide = DefaultAvatarMaxSide
	}
	if opts.Transport == nil {
		opts.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	return &AvatarFetcher{
		client: &http.Client{
			Transport: opts.Transport,
			// A CDN may redirect once or twice; more, or a hop to another scheme
			// (file:, data:, ftp:), is not an avatar we want.
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if len(via) > avatarMaxRedirects {
					return fmt.Errorf("%w: more than %d redirects", errAvatarRedirect, avatarMaxRedirects)
				}
				if !avatarScheme(req.URL) {
					return fmt.Errorf("%w: to a %q URL", errAvatarRedirect, req.URL.Scheme)
				}
				return nil
			},
		},
		timeout:   opts.Timeout,
		maxBytes:  opts.MaxBytes,
		maxPixels: opts.MaxPixels,
		maxSide:   opts.MaxSide,
		lru:       list.New(),
		byURL:     make(map[string]*list.Element),
		inflight:  make(map[string]*avatarCall),
	}
}

// Fetch returns the decoded image at rawURL, no larger than MaxSide a side, from the
// cache when it has it. Only http and https URLs are fetched; anything else is
// refused without any I/O. Errors are *Error with Op "avatar": KindInvalidInput
// (unusable URL), KindTimeout, KindNetwork, KindServer (non-2xx status or refused
// redirect) and KindMalformed (too large, not an image, too many pixels). Failures
// are not cached, so the next lookup of the member tries again.
//
// The download runs under the fetcher's timeout rather than under ctx, because other
// callers may be waiting for the same URL: one caller giving up (say, a newer lookup
// cancels it) does not fail the others. When the last waiter leaves, the download
// is stopped.
func (f *AvatarFetcher) Fetch(ctx context.Context, rawURL string) (image.Image, error) {
	u, err := url.Parse(rawURL)
	if err != nil || !avatarScheme(u) || u.Host == "" {
		return nil, &Error{Kind: KindInvalidInput, Op: "avatar", Detail: "only https avatar URLs (http on this machine) are fetched"}
	}
	if err := ctx.Err(); err != nil {
		return nil, avatarContextError(err)
	}
	key := u.String()

	f.mu.Lock()
	if el, ok := f.byURL[key]; ok {
		f.lru.MoveToFront(el)
		img := el.Value.(*avatarEntry).img
		f.mu.Unlock()
		return img, nil
	}
	call, shared := f.inflight[key]
	if !shared {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), f.timeout)
		call = &avatarCall{done: make(chan struct{}), cancel: cancel}
		f.inflight[key] = call
		go f.download(dctx, key, call)
	}
	call.waiters++
	f.mu.Unlock()

	select {
	case <-call.done:
		return call.img, call.err
	case <-ctx.Done():
		f.mu.Lock()
		if call.waiters--; call.waiters == 0 {
			call.cancel()
			// A caller arriving now must start afresh, not join a cancelled download.
			if f.inflight[key] == call {
				delete(f.inflight, key)
			}
		}
		f.mu.Unlock()
		return nil, avatarContextError(ctx.Err())
	}
}

// download runs one fetch, publishes its result to every waiter and caches a success.
func (f *AvatarFetcher) download(ctx context.Context, key string, call *avatarCall) {
	defer call.cancel()
	call.img, call.err = f.get(ctx, key)

	f.mu.Lock()
	if f.inflight[key] == call {
		delete(f.inflight, key)
	}
	if call.err == nil {
		f.rememberLocked(key, call.img)
	}
	f.mu.Unlock()
	close(call.done)
}

// rememberLocked caches img, then evicts the least recently used avatars until at
// most avatarCacheSize of them, holding at most avatarCacheBytes, remain. Without
// the byte bound, 64 avatars at the pixel limit would hold 4 GiB. An image larger
// than the whole budget is shown but not kept.
func (f *AvatarFetcher) rememberLocked(key string, img image.Image) {
	size := decodedSize(img)
	if size > avatarCacheBytes {
		return
	}
	if el, ok := f.byURL[key]; ok { // fetched again after every waiter had left
		f.forgetLocked(el)
	}
	f.byURL[key] = f.lru.PushFront(&avatarEntry{url: key, img: img, size: size})
	f.cachedBytes += size
	for f.lru.Len() > avatarCacheSize || f.cachedBytes > avatarCacheBytes {
		f.forgetLocked(f.lru.Back())
	}
}

func (f *AvatarFetcher) forgetLocked(el *list.Element) {
	e := f.lru.Remove(el).(*avatarEntry)
	delete(f.byURL, e.url)
	f.cachedBytes -= e.size
}

// decodedSize is the memory img's pixels take, for the types the registered
// decoders return; anything else is counted at 8 bytes a pixel, the most they use.
func decodedSize(img image.Image) int64 {
	switch m := img.(type) {
	case *image.NRGBA:
		return int64(len(m.Pix))
	case *image.RGBA:
		return int64(len(m.Pix))
	case *image.NRGBA64:
		return int64(len(m.Pix))
	case *image.RGBA64:
		return int64(len(m.Pix))
	case *image.Gray:
		return int64(len(m.Pix))
	case *image.Gray16:
		return int64(len(m.Pix))
	case *image.Paletted:
		return int64(len(m.Pix))
	case *image.CMYK:
		return int64(len(m.Pix))
	case *image.YCbCr:
		return int64(len(m.Y) + len(m.Cb) + len(m.Cr))
	case *image.NYCbCrA:
		return int64(len(m.Y) + len(m.Cb) + len(m.Cr) + len(m.A))
	}
	b := img.Bounds()
	return int64(b.Dx()) * int64(b.Dy()) * 8
}

func (f *AvatarFetcher) get(ctx context.Context, rawURL string) (image.Image, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, &Error{Kind: KindInvalidInput, Op: "avatar", Detail: "unusable avatar URL", Err: err}
	}
	req.Header.Set("User-Agent", UserAgent())
	req.Header.Set("Accept", "image/png, image/jpeg, image/gif, image/webp")
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, avatarTransportError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &Error{Kind: KindServer, Op: "avatar", StatusCode: resp.StatusCode, Detail: "the avatar server refused"}
	}
	if resp.ContentLength > f.maxBytes {
		return nil, avatarTooLarge(f.maxBytes)
	}
	// One byte more than allowed tells an exact fit from an oversized body.
	data, err := io.ReadAll(io.LimitReader(resp.Body, f.maxBytes+1))
	if err != nil {
		return nil, avatarTransportError(err)
	}
	if int64(len(data)) > f.maxBytes {
		return nil, avatarTooLarge(f.maxBytes)
	}
	img, err := decodeAvatar(data, f.maxPixels)
	if err != nil {
		return nil, err
	}
	return FitImage(img, f.maxSide), nil
}

// FitImage scales img down so that neither side exceeds maxSide, keeping its aspect,
// with the filter Fyne itself scales images with (Catmull-Rom). A smaller image, or a
// maxSide of 0 or less, returns img as it is. The avatar cache and the window's
// images (scaled once to their size on screen) share it.
func FitImage(img image.Image, maxSide int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if maxSide <= 0 || (w <= maxSide && h <= maxSide) {
		return img
	}
	if w >= h {
		w, h = maxSide, max(1, int(math.Round(float64(h)*float64(maxSide)/float64(w))))
	} else {
		w, h = max(1, int(math.Round(float64(w)*float64(maxSide)/float64(h)))), maxSide
	}
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

// decodeAvatar checks the header's size before decoding anything: a PNG of a few
// hundred bytes can claim 20000×20000 pixels and make image.Decode allocate 1.6 GB.
func decodeAvatar(data []byte, maxPixels int) (img image.Image, err error) {
	defer func() {
		// A decoder bug on hostile input must not take the window down with it.
		if r := recover(); r != nil {
			img, err = nil, &Error{Kind: KindMalformed, Op: "avatar", Detail: "the image could not be decoded"}
		}
	}()
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, &Error{Kind: KindMalformed, Op: "avatar", Detail: "not an image in a supported format", Err: err}
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > int64(maxPixels) {
		return nil, &Error{Kind: KindMalformed, Op: "avatar",
			Detail: fmt.Sprintf("image of %d×%d pixels is over the limit of %d pixels", cfg.Width, cfg.Height, maxPixels)}
	}
	img, _, err = image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, &Error{Kind: KindMalformed, Op: "avatar", Detail: "the " + format + " image could not be decoded", Err: err}
	}
	return img, nil
}

// avatarScheme admits https, and plain http only to this machine (the demo server): a
// member's photo does not cross shop Wi-Fi in clear, as nothing else the app sends does.
func avatarScheme(u *url.URL) bool {
	return u.Scheme == "https" || (u.Scheme == "http" && isLoopback(u.Hostname()))
}

func avatarTooLarge(limit int64) error {
	return &Error{Kind: KindMalformed, Op: "avatar", Detail: fmt.Sprintf("the image is larger than %d bytes", limit)}
}

func avatarContextError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Kind: KindTimeout, Op: "avatar", Detail: "the avatar took too long", Err: err}
	}
	return &Error{Kind: KindNetwork, Op: "avatar", Detail: "the avatar fetch was cancelled", Err: err}
}

// avatarTransportError classifies a failed download. The URL a *url.Error quotes
// loses its query and user info: a CDN signature or, from a careless API, the
// member's number may be in them, and errors end up in logs.
func avatarTransportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = &url.Error{Op: ue.Op, URL: withoutQuery(ue.URL), Err: ue.Err}
	}
	if errors.Is(err, errAvatarRedirect) {
		return &Error{Kind: KindServer, Op: "avatar", Detail: "the avatar server redirected too often or to an unsupported URL", Err: err}
	}
	var nerr net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &nerr) && nerr.Timeout()) {
		return &Error{Kind: KindTimeout, Op: "avatar", Detail: "the avatar took too long", Err: err}
	}
	return &Error{Kind: KindNetwork, Op: "avatar", Detail: "the avatar could not be downloaded", Err: err}
}

func withoutQuery(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(avatar URL)"
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String()
}
