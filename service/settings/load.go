package settings

// Inputs is everything Load consults.
type Inputs struct {
	// Flags is what the command line sets; ConfigPath is its --config.
	Flags      Layer
	ConfigPath string
	// Getenv reads the environment (os.Getenv); nil means an empty environment.
	Getenv func(string) string
	// ExeDir is the executable's directory, where a provisioning file may lie.
	ExeDir string
	// Prefs holds the saved settings (the window's DeskFile, or a read-only one for
	// the command line); nil means nothing saved. When it has Warnings (a DeskFile
	// restored from its backup), they are the Resolved's too.
	Prefs KV
	// Secrets holds the saved client secret; nil means none.
	Secrets SecretStore
}

// Load finds and reads the provisioning file, the saved settings and the saved
// secret, and resolves them with the flags and the environment. A broken
// provisioning file is left out and reported in ProvisionErr, so nothing the user
// saved is lost and the desk opens in its "needs setup" state.
func Load(in Inputs) Resolved {
	path := FindProvision(in.ConfigPath, in.Getenv, in.ExeDir)
	var prov *Provision
	var provErr error
	if path != "" {
		prov, provErr = LoadProvision(path)
	}
	var secret string
	var warnings []Warning
	if w, ok := in.Prefs.(interface{ Warnings() []Warning }); ok {
		warnings = append(warnings, w.Warnings()...)
	}
	if in.Secrets != nil {
		var err error
		if secret, err = in.Secrets.Secret(); err != nil {
			where, why := in.Secrets.Location(), firstLine(err.Error())
			warnings = append(warnings, Warning{Code: WarningSecretUnreadable,
				Args: map[string]string{"Location": where, "Error": why},
				Text: "the saved client secret could not be read from " + where + ": " + why})
		}
	}
	r := Resolve(in.Flags, EnvLayer(in.Getenv), prov, LoadSaved(in.Prefs), secret)
	r.applyDeskShop(LoadDeskShop(in.Prefs))
	r.ProvisionPath, r.ProvisionErr = path, provErr
	r.Warnings = append(warnings, r.Warnings...)
	return r
}
