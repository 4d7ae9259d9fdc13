package demo

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// tokenLifetime matches the documented expires_in of 2592000 seconds (30 days).
const tokenLifetime = 30 * 24 * time.Hour

type tokenInfo struct {
	expires time.Time
	// immune tokens were issued after a revocation and are never revoked again, so
	// a client's retry with a fresh token gets the member.
	immune bool
}

// handleToken implements the client-credentials grant with the credentials in the
// form body (RFC 6749 §4.4 and §2.3.1), as the tenant's "Auth Login" documents.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	s.tokenRequests.Add(1)
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "use POST")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "the body is not a form")
		return
	}
	// Only the body counts: the documented API takes no credentials in the URL.
	form := r.PostForm
	switch grant := form.Get("grant_type"); {
	case grant == "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "grant_type is required")
		return
	case grant != "client_credentials":
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "only client_credentials is supported")
		return
	}
	if !equalSecret(form.Get("client_id"), ClientID) || !equalSecret(form.Get("client_secret"), ClientSecret) {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
		return
	}
	if scope := form.Get("scope"); scope != "" && scope != "api" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_scope", "the only scope is api")
		return
	}
	token := rand.Text()
	s.mu.Lock()
	s.tokens[token] = tokenInfo{expires: s.now().Add(tokenLifetime), immune: s.revokedAny}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": token,
		"expires_in":   int64(tokenLifetime / time.Second),
		"token_type":   "Bearer",
		"scope":        "api",
	})
}

// authorize checks the request's bearer token (RFC 6750) and answers 401 itself when
// it is missing, unknown, expired or revoked.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) (token string, ok bool) {
	h := r.Header.Get("Authorization")
	scheme, token, found := strings.Cut(h, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") || token == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ocard-demo"`)
		writeOAuthError(w, http.StatusUnauthorized, "invalid_request", "a bearer token is required")
		return "", false
	}
	s.mu.Lock()
	info, known := s.tokens[token]
	if known && !s.now().Before(info.expires) {
		delete(s.tokens, token)
		known = false
	}
	s.mu.Unlock()
	if !known {
		refuseToken(w)
		return "", false
	}
	return token, true
}

// revokeFirstUse revokes token unless it was issued after an earlier revocation, and
// reports whether it did.
func (s *Server) revokeFirstUse(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tokens[token].immune {
		return false
	}
	delete(s.tokens, token)
	s.revokedAny = true
	return true
}

func refuseToken(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="ocard-demo", error="invalid_token"`)
	writeOAuthError(w, http.StatusUnauthorized, "invalid_token", "the access token is unknown, expired or revoked")
}

// equalSecret compares in constant time, as a real token endpoint should.
func equalSecret(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
