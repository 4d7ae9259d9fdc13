package logfile

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// tailBytes is how much of a file's end Tail reads: 200 records fit in far less.
const tailBytes = 512 << 10

// Files lists the log files in dir that path's rotation made, oldest first and the
// current one (path) last: lumberjack's backups are named name-<time>.ext, which sort
// by time.
func Files(path string) []string {
	if path == "" {
		return nil
	}
	ext := filepath.Ext(path)
	prefix := strings.TrimSuffix(filepath.Base(path), ext) + "-"
	entries, _ := os.ReadDir(filepath.Dir(path))
	var out []string
	for _, e := range entries {
		if n := e.Name(); !e.IsDir() && strings.HasPrefix(n, prefix) && strings.HasSuffix(n, ext) {
			out = append(out, filepath.Join(filepath.Dir(path), n))
		}
	}
	sort.Strings(out)
	if _, err := os.Stat(path); err == nil {
		out = append(out, path)
	}
	return out
}

// Tail returns the last n lines logged to path and its backups, oldest first.
func Tail(path string, n int) []string {
	files := Files(path)
	var lines []string
	for i := len(files) - 1; i >= 0 && len(lines) < n; i-- {
		lines = append(fileTail(files[i], n-len(lines)), lines...)
	}
	return lines
}

// fileTail is the last n complete lines of the end of one file.
func fileTail(path string, n int) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil
	}
	start := max(fi.Size()-tailBytes, 0)
	b, err := io.ReadAll(io.NewSectionReader(f, start, fi.Size()-start))
	if err != nil {
		return nil
	}
	if start > 0 { // the first line read is cut: drop it
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	all := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(all) == 1 && all[0] == "" {
		return nil
	}
	return all[max(len(all)-n, 0):]
}
