package service

// Build information, stamped at build time by the Makefile:
//
//	-ldflags "-X github.com/ocard-desk/ocard-desk/service.Version=1.2.3 ..."
var (
	Version   = "dev"
	Commit    = "unknown"
	BuildDate = "unknown"
)

// UserAgent names the app and its version in every request, so a tenant's operators
// can tell Ocard Desk traffic apart.
func UserAgent() string { return "OcardDesk/" + Version }
