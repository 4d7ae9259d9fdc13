package settings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ocard-desk/ocard-desk/service"
)

// ProvisionFileName is the provisioning file head-office IT ships next to the executable.
const ProvisionFileName = "ocard-desk.json"

// maxProvisionBytes bounds the file: a real one is a few hundred bytes, and a wrong
// path (a log, a disk image) should be refused rather than read.
const maxProvisionBytes = 1 << 20

// fieldLocked is the provisioning file's switch that makes its fields read-only.
const fieldLocked = "locked"

// Provision is a head office's provisioning file (ocard-desk.json), decoded.
type Provision struct {
	// Path is the file it was read from.
	Path string
	// Settings holds the fields the file sets; Present says which those are.
	Settings Settings
	Present  map[Field]bool
	// Secret is the file's client_secret ("" when absent).
	Secret string
	// Locked makes the fields the file sets read-only in the settings screen.
	Locked bool
	// Unknown lists the keys the file has that this version does not know, sorted
	// (a shop's unknown keys as "shops[1].phone"). They are reported, not fatal.
	Unknown []string
	// SecretMode is the file's permission bits when it holds a client_secret that every
	// user of the computer may read (o+r, outside Windows); 0 otherwise.
	SecretMode fs.FileMode
}

// Layer is what the file contributes to Resolve.
func (p *Provision) Layer() Layer {
	return Layer{Settings: p.Settings, Secret: p.Secret, Present: p.Present}
}

// FindProvision returns the provisioning file to read: flagPath (--config), else
// $OCARD_CONFIG, else ocard-desk.json in exeDir when it exists; "" when there is none.
// A path given explicitly is returned even when it does not exist, so that
// LoadProvision can say so.
func FindProvision(flagPath string, getenv func(string) string, exeDir string) string {
	if flagPath != "" {
		return flagPath
	}
	if getenv != nil {
		if p := getenv("OCARD_CONFIG"); p != "" {
			return p
		}
	}
	if exeDir == "" {
		return ""
	}
	p := filepath.Join(exeDir, ProvisionFileName)
	if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
		return p
	}
	return ""
}

// LoadProvision reads and checks the provisioning file at path. A broken file is an
// *service.Error of KindConfig whose Field is the JSON key at fault ("" for the file
// as a whole) and whose Detail starts with the path, with line and column for a
// syntax error. No error quotes a value from the file, so none can hold the secret.
//
// The values are checked as Validate would, field by field; a field the file does
// not set is not required, since the desk's saved settings or the environment may
// provide it.
func LoadProvision(path string) (*Provision, error) {
	data, err := readProvision(path)
	if err != nil {
		return nil, err
	}
	bad := func(field, format string, args ...any) error {
		return &service.Error{Kind: service.KindConfig, Op: "config", Field: field,
			Detail: path + ": " + fmt.Sprintf(format, args...)}
	}
	if err := checkEncoding(data); err != "" {
		return nil, bad("", "%s", err)
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF")) // Notepad's UTF-8 byte order mark
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := lineCol(data, se.Offset)
			return nil, bad("", "JSON syntax error at line %d, column %d: %s", line, col, se.Error())
		}
		return nil, bad("", "must be one JSON object ({ … })")
	}
	p := &Provision{Path: path, Present: map[Field]bool{}}
	d := decoder{top: top, bad: bad}
	s := &p.Settings
	d.str(FieldBaseURL, &s.BaseURL, p.Present)
	d.str(FieldTokenURL, &s.TokenURL, p.Present)
	d.str(FieldScope, &s.Scope, p.Present)
	d.str(FieldClientID, &s.ClientID, p.Present)
	d.str(FieldClientSecret, &p.Secret, p.Present)
	d.str(FieldDefaultShop, &s.CurrentShop, p.Present)
	d.str(FieldLanguage, &s.Language, p.Present)
	d.int(FieldTimeout, &s.TimeoutSeconds, p.Present)
	d.int(FieldIdleClear, &s.IdleClearSeconds, p.Present)
	d.bool(FieldRedeemEnabled, &s.RedeemEnabled, p.Present)
	d.str(FieldRedeemTicketID, &s.RedeemTicketID, p.Present)
	d.shops(&s.Shops, p.Present, &p.Unknown)
	if raw, ok := top[fieldLocked]; ok && d.err == nil {
		if err := json.Unmarshal(raw, &p.Locked); err != nil || isNull(raw) {
			d.err = bad(fieldLocked, "%q must be true or false", fieldLocked)
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	for k := range top {
		if !knownKey(k) {
			p.Unknown = append(p.Unknown, k)
		}
	}
	slices.Sort(p.Unknown)
	if err := p.check(bad); err != nil {
		return nil, err
	}
	p.SecretMode = exposedSecretMode(path, p.Secret)
	return p, nil
}

// exposedSecretMode returns path's permission bits when secret is set and every user of
// the computer may read the file; 0 otherwise. The provisioning file sits next to the
// executable (/usr/bin, /opt) where files are world-readable by default. Windows keeps
// permissions in ACLs, which this does not read (docs/PACKAGING.md says what to do there).
func exposedSecretMode(path, secret string) fs.FileMode {
	if secret == "" || runtime.GOOS == "windows" {
		return 0
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o004 == 0 {
		return 0
	}
	return fi.Mode().Perm()
}

// check validates the fields the file sets, with Validate's rules.
func (p *Provision) check(bad func(field, format string, args ...any) error) error {
	s := p.Settings
	secret := p.Secret
	if !p.Present[FieldClientSecret] {
		secret = "set elsewhere" // only what the file sets is judged here
	}
	var msgs []string
	first := ""
	for _, pr := range s.Validate(secret) {
		if !p.Present[pr.Field] {
			continue
		}
		if first == "" {
			first = string(pr.Field)
		}
		msgs = append(msgs, pr.String())
	}
	if first == "" {
		return nil
	}
	return bad(first, "%s", strings.Join(msgs, "; "))
}

func readProvision(path string) ([]byte, error) {
	fail := func(detail string) error {
		return &service.Error{Kind: service.KindConfig, Op: "config", Detail: path + ": " + detail}
	}
	f, err := os.Open(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fail("file not found")
	case errors.Is(err, fs.ErrPermission):
		return nil, fail("permission denied")
	case err != nil:
		return nil, fail("cannot open: " + cause(err).Error())
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, fail("is a directory, not a file")
	}
	data, err := io.ReadAll(io.LimitReader(f, maxProvisionBytes+1))
	if err != nil {
		return nil, fail("cannot read: " + cause(err).Error())
	}
	if len(data) > maxProvisionBytes {
		return nil, fail("larger than 1 MiB; is this the right file?")
	}
	return data, nil
}

// checkEncoding explains files saved in an encoding other than UTF-8, which is what
// Windows Notepad's "Unicode" choice produces.
func checkEncoding(data []byte) string {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return "saved as UTF-16; save it as UTF-8"
	}
	if !utf8.Valid(data) {
		return "not UTF-8 text; save it as UTF-8"
	}
	return ""
}

// lineCol turns a byte offset into a 1-based line and column (in characters), as
// an editor shows them.
func lineCol(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	lastLine := before[bytes.LastIndexByte(before, '\n')+1:]
	return line, utf8.RuneCount(lastLine)
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }
