package instance

import "golang.org/x/sys/windows"

// aswfAny lets any process set the foreground window (ASFW_ANY).
const aswfAny = 0xFFFFFFFF

var allowSetForegroundWindow = windows.NewLazySystemDLL("user32.dll").NewProc("AllowSetForegroundWindow")

// allowForeground lets the running copy bring its window forward. Windows refuses
// SetForegroundWindow to a process in the background (the taskbar button only
// flashes) unless the process in the foreground, this one, started by the cashier's
// click, allows it.
func allowForeground() {
	if allowSetForegroundWindow.Find() == nil {
		_, _, _ = allowSetForegroundWindow.Call(aswfAny)
	}
}
