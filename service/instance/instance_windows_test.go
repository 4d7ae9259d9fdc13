package instance

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/windows"
)

// leaveStaleClaim leaves in dir what a copy ended from Task Manager leaves: the file
// naming its pipe; the pipe itself ended with the process.
func leaveStaleClaim(t *testing.T, dir string) {
	prefix, err := pipePrefix(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeName(mustPipeFile(t, dir), prefix+".GONE"); err != nil {
		t.Fatal(err)
	}
}

func mustPipeFile(t *testing.T, dir string) string {
	f, err := pipeFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// endRequest: a byte-mode pipe cannot be half closed, so the client just stops
// writing; the desk's read deadline (readTimeout) ends the request.
func endRequest(*testing.T, net.Conn) {}

// The pipe's name carries the user's SID and session, the pipe file names it, and its
// access list lets in the user alone: no other account on the PC can ask the desk
// anything, or learn by connecting that it runs.
func TestPipeIsTheUsersAlone(t *testing.T) {
	dir := t.TempDir()
	l, err := Claim(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	sid, err := userSID()
	if err != nil {
		t.Fatal(err)
	}
	var session uint32
	if err := windows.ProcessIdToSessionId(windows.GetCurrentProcessId(), &session); err != nil {
		t.Fatal(err)
	}
	file := mustPipeFile(t, dir)
	if want := "desk.session-" + strconv.FormatUint(uint64(session), 10) + ".pipe"; filepath.Base(file) != want {
		t.Errorf("pipe file %s, want %s: the user's other sessions keep files of their own", file, want)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimSpace(string(b))
	if want := `\\.\pipe\ocard-desk.` + sid + "."; !strings.HasPrefix(name, want) || name != l.claim.name {
		t.Fatalf("pipe file names %q; want this claim's pipe, %q…", name, want)
	}
	if !strings.Contains(name, "."+sid+"."+strconv.FormatUint(uint64(session), 10)+".") {
		t.Errorf("pipe %q does not carry session %d", name, session)
	}
	conn, err := dial(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	sd, err := windows.GetSecurityInfo(windows.Handle(conn.(*pipeConn).Fd()), windows.SE_KERNEL_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		t.Fatalf("the pipe's security descriptor: %v", err)
	}
	t.Logf("the pipe's security descriptor: %s", sd)
	// One protected entry: all access for the user. Windows maps the generic right it
	// was made with (GA) to the pipe's own (FA, FILE_ALL_ACCESS); Wine keeps GA.
	if got := sd.String(); got != "D:P(A;;FA;;;"+sid+")" && got != "D:P(A;;GA;;;"+sid+")" {
		t.Errorf("pipe's access list %s, want D:P(A;;FA;;;%s) (the user alone, nothing inherited)", got, sid)
	}
}

// A pipe file naming some other pipe (another user's, or one not of this folder) is not
// dialled: the copy claims for itself instead.
func TestForeignPipeNameIsNotDialled(t *testing.T) {
	dir := t.TempDir()
	if err := writeName(mustPipeFile(t, dir), `\\.\pipe\someone-else`); err != nil {
		t.Fatal(err)
	}
	if _, err := dial(dir); err == nil {
		t.Fatal("dialled a pipe that is not this user's claim")
	}
	l, err := Claim(dir)
	if err != nil {
		t.Fatalf("Claim over a foreign pipe name: %v", err)
	}
	l.Close()
}
