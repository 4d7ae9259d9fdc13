package posixlocale

import "testing"

func TestApply(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"LANG": "C.UTF-8"}, "en"},
		{map[string]string{"LANG": "POSIX.utf8"}, "en"},
		{map[string]string{"LC_ALL": "C.UTF-8", "LANG": "zh_TW.UTF-8"}, "en"},
		{map[string]string{"LANG": "zh_TW.UTF-8"}, ""},
		{map[string]string{"LANG": "C"}, ""},
		{map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "zh_TW"}, "zh_TW"},
		{map[string]string{}, ""},
	}
	for _, c := range cases {
		env := map[string]string{}
		for k, v := range c.env {
			env[k] = v
		}
		Apply(func(k string) string { return env[k] }, func(k, v string) error { env[k] = v; return nil })
		if env["LANGUAGE"] != c.want {
			t.Errorf("%v: LANGUAGE=%q, want %q", c.env, env["LANGUAGE"], c.want)
		}
	}
}
