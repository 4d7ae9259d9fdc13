package demo

import (
	"bytes"
	"embed"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// The responses are stored as files so that the seed's three examples are served
// byte for byte as the API documentation printed them. Other files may hold two
// placeholders, filled in at serve time: {{BASE_URL}} (this server, for avatars) and
// {{DATE+N}} (N days after today, as YYYY/MM/DD), so the demo never goes stale.
//
//go:embed responses/*.json responses/*.html avatars/*.png
var files embed.FS

// Number is a demo mobile number and what it shows.
type Number struct {
	Mobile string
	Label  string // a short English description, e.g. "Member, no expiring points"
}

// fault is what a number does besides (or instead of) answering normally.
type fault int

const (
	faultNone        fault = iota
	faultSlow              // answers after Options.SlowDelay
	faultServerError       // HTTP 500 with an HTML body
	faultRevokeOnce        // 401 on the first use of a token, then a member
	faultMalformed         // HTTP 200 with a truncated JSON body
	// Redemption faults; lookups of these numbers answer normally.
	faultCommitThenHang // a redemption is made, then answered after SlowDelay (unknown outcome)
	faultRefuse         // a redemption is refused: 400 {"code":1001,"message":…}
	faultRevokeRedeem   // the first redemption's token is revoked (401); a new token succeeds
)

type entry struct {
	Number
	file  string // under responses/
	fault fault
}

// seedAvatarURL is the avatar the API doc's examples (and so the seed responses) name.
const seedAvatarURL = "https://d3egcl3bvwgcig.cloudfront.net/user/51eed9112f1c1d944d3f4a257b9cc187_m.jpg"

// notMemberExample is listed for the window and the README; any number that is not
// in entries answers the same way.
const notMemberExample = "0987654321"

var entries = []entry{
	{Number{"0903123123", "Member (seed example), one batch of points expiring 2026-12-31"}, "seed-member.json", faultNone},
	{Number{"0903515908", "Member (seed example), the same person by the number in the record"}, "seed-member.json", faultNone},
	{Number{"0912345678", "Member (seed example), no expiring points"}, "seed-member-no-expire.json", faultNone},
	{Number{"0911111111", "Member with several expiring batches, one within 30 days"}, "several-expiring.json", faultNone},
	{Number{"0922222222", "Member with a long Chinese name and no carrier"}, "long-name.json", faultNone},
	{Number{"0933333333", "Member with an invalid carrier (ABC123)"}, "invalid-carrier.json", faultNone},
	{Number{"0944444444", "Member without a point card"}, "no-point-card.json", faultNone},
	{Number{"0955555555", "Member with a large balance (9,876,543 points)"}, "large-balance.json", faultNone},
	{Number{"0966666666", "Member whose avatar loads slowly"}, "slow-avatar.json", faultNone},
	{Number{"0977777777", "Member whose avatar is broken"}, "broken-avatar.json", faultNone},
	{Number{"0900000001", "Fault: answers slower than the timeout"}, "seed-member.json", faultSlow},
	{Number{"0900000002", "Fault: HTTP 500 with an HTML page"}, "server-error.html", faultServerError},
	{Number{"0900000003", "Fault: the token is revoked once; a retry with a new token succeeds"}, "revoked-once.json", faultRevokeOnce},
	{Number{"0900000004", "Fault: a malformed (truncated) response"}, "malformed.json", faultMalformed},
	{Number{"0900000005", "Fault: a redemption is made but answered too late (outcome unknown)"}, "seed-member.json", faultCommitThenHang},
	{Number{"0900000006", "Fault: a redemption is refused (400 with code and message)"}, "seed-member.json", faultRefuse},
	{Number{"0900000007", "Fault: the token is revoked before the first redemption; a new token succeeds"}, "seed-member.json", faultRevokeRedeem},
}

// notMemberEntry answers for every number not in entries, with the seed's example.
var notMemberEntry = entry{Number{notMemberExample, "Not a member (as is any number not listed here)"}, "seed-not-member.json", faultNone}

// Numbers lists the demo numbers with what each shows: members first, then a number
// that is not a member, then the fault numbers.
func Numbers() []Number {
	var members, faults []Number
	for _, e := range entries {
		if e.fault == faultNone {
			members = append(members, e.Number)
		} else {
			faults = append(faults, e.Number)
		}
	}
	out := append(members, notMemberEntry.Number)
	return append(out, faults...)
}

func lookupEntry(mobile string) entry {
	for _, e := range entries {
		if e.Mobile == mobile {
			return e
		}
	}
	return notMemberEntry
}

// handleMember implements GET /v1/user/ocard?shop_id=…&mobile=….
func (s *Server) handleMember(w http.ResponseWriter, r *http.Request) {
	s.memberRequests.Add(1)
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "use GET")
		return
	}
	token, ok := s.authorize(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	if q.Get("shop_id") == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "shop_id is required")
		return
	}
	mobile := q.Get("mobile")
	if mobile == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "mobile is required")
		return
	}
	e := lookupEntry(mobile)
	status, contentType := http.StatusOK, "application/json; charset=utf-8"
	switch e.fault {
	case faultSlow:
		if !s.sleep(r.Context(), s.opts.SlowDelay) {
			return // the client gave up or the server is closing: nobody to answer
		}
	case faultServerError:
		status, contentType = http.StatusInternalServerError, "text/html; charset=utf-8"
	case faultRevokeOnce:
		if s.revokeFirstUse(token) {
			refuseToken(w)
			return
		}
	}
	body, err := s.memberBody(e)
	if err != nil {
		http.Error(w, "demo data missing", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

var datePlaceholder = regexp.MustCompile(`\{\{DATE\+(\d+)\}\}`)

// render returns a response file with its placeholders filled in. Files without
// placeholders (the seed examples) come back unchanged, byte for byte.
func (s *Server) render(name string) ([]byte, error) {
	body, err := files.ReadFile("responses/" + name)
	if err == nil && !s.opts.SeedAvatarURLs {
		// The seed examples' avatar is on the internet: the demo serves its own, so that
		// it works offline and sends nothing out (Options.SeedAvatarURLs keeps it).
		body = bytes.ReplaceAll(body, []byte(seedAvatarURL), []byte(s.baseURL+"/avatars/normal.png"))
	}
	if err != nil || !bytes.Contains(body, []byte("{{")) {
		return body, err
	}
	body = bytes.ReplaceAll(body, []byte("{{BASE_URL}}"), []byte(s.baseURL))
	now := s.now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	return datePlaceholder.ReplaceAllFunc(body, func(m []byte) []byte {
		days, _ := strconv.Atoi(string(datePlaceholder.FindSubmatch(m)[1]))
		return []byte(today.AddDate(0, 0, days).Format("2006/01/02"))
	}), nil
}

// handleAvatar serves the embedded avatars: normal.png, slow.png (normal.png after
// Options.AvatarDelay) and broken.png (200 with bytes that are not an image).
func (s *Server) handleAvatar(w http.ResponseWriter, r *http.Request) {
	s.avatarRequests.Add(1)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "use GET", http.StatusMethodNotAllowed)
		return
	}
	name := r.PathValue("name")
	file := name
	switch name {
	case "normal.png", "broken.png":
	case "slow.png":
		file = "normal.png"
		if !s.sleep(r.Context(), s.opts.AvatarDelay) {
			return
		}
	default:
		http.NotFound(w, r)
		return
	}
	body, err := files.ReadFile("avatars/" + file)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body)
}
