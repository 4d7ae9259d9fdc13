//go:build !ci

package settings

// fyneCI mirrors Fyne's "ci" build tag, under which Fyne keeps preferences in a
// temporary directory (internal/app/config_other.go).
const fyneCI = false
