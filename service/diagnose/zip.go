package diagnose

import (
	"archive/zip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/ocard-desk/ocard-desk/service/logfile"
)

// Removed is what replaces a secret value in the files of a zip.
const Removed = "[removed]"

// Zip writes the diagnostics archive to w: Text (diagnostics.txt), the check's output
// (check.txt), the desk's settings file without secrets, the provisioning file with
// its client_secret replaced, the log files and the crash traces. Every file is
// scrubbed (Scrubber) on its way in. A file that cannot be read is named in
// missing.txt rather than failing the archive: IT wants what there is.
func Zip(w io.Writer, r Report, checkOutput string) error {
	sc := NewScrubber(r.Session)
	diag := text(r, sc) // tells sc the token
	zw := zip.NewWriter(w)
	now := time.Now()
	var missing []string
	add := func(name string, content []byte) error {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: now})
		if err != nil {
			return err
		}
		_, err = io.WriteString(fw, sc.Scrub(string(content)))
		return err
	}
	addFile := func(name, path string, clean func([]byte) []byte) error {
		if path == "" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			if !os.IsNotExist(err) {
				missing = append(missing, path+": "+err.Error())
			}
			return nil
		}
		if clean != nil {
			b = clean(b)
		}
		return add(name, b)
	}
	if err := add("diagnostics.txt", []byte(diag)); err != nil {
		return err
	}
	if err := add("check.txt", []byte(checkOutput)); err != nil {
		return err
	}
	if err := addFile("settings/"+filepath.Base(r.Session.SettingsFile()), r.Session.SettingsFile(), withoutSecrets); err != nil {
		return err
	}
	if p := r.Session.Resolved.ProvisionPath; p != "" {
		if err := addFile("settings/"+filepath.Base(p), p, withoutSecrets); err != nil {
			return err
		}
	}
	var logs []string
	if r.LogPath != "" {
		logs = append(logfile.Files(r.LogPath), logfile.CrashFiles(filepath.Dir(r.LogPath))...)
	}
	for _, p := range logs {
		if err := addFile("logs/"+filepath.Base(p), p, nil); err != nil {
			return err
		}
	}
	if len(missing) > 0 {
		var b []byte
		for _, m := range missing {
			b = append(b, m+"\n"...)
		}
		if err := add("missing.txt", b); err != nil {
			return err
		}
	}
	return zw.Close()
}

// secretKey matches a JSON member that holds a secret or a token, in text.
var secretKey = regexp.MustCompile(`(?i)("(?:client_secret|secret|access_token|refresh_token|token|password)"\s*:\s*)("(?:[^"\\]|\\.)*")`)

// withoutSecrets replaces the value of every member named like a secret
// (client_secret, access_token, …) in a JSON settings file. A file that is not valid
// JSON (the provisioning file IT is asking about may be broken) gets the same
// replacement on its text.
func withoutSecrets(b []byte) []byte {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return secretKey.ReplaceAll(b, []byte(`${1}"`+Removed+`"`))
	}
	v = scrubJSON(v)
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return secretKey.ReplaceAll(b, []byte(`${1}"`+Removed+`"`))
	}
	return append(out, '\n')
}

// secretName is a member that holds a secret: not token_url, which is an address.
var secretName = regexp.MustCompile(`(?i)^(client_secret|secret|access_token|refresh_token|token|password)$`)

func scrubJSON(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if secretName.MatchString(k) {
				if x != nil {
					t[k] = Removed
				}
				continue
			}
			t[k] = scrubJSON(x)
		}
	case []any:
		for i := range t {
			t[i] = scrubJSON(t[i])
		}
	}
	return v
}
