package notify

import (
	"fmt"
	"os"
	"strings"

	"github.com/herald-status/herald/config"
)

// secrets expands a channel's ${NAME} references from the environment at
// each send, as the prober does for its targets: herald.yaml then need not
// hold the secret, and a changed secret needs no restart. It remembers the
// variables that are unset, so that the error can name them; a value is
// never shown.
type secrets struct{ unset []string }

func (s *secrets) expand(v string) string {
	return config.Expand(v, func(name string) string {
		val := os.Getenv(name)
		if val == "" {
			s.unset = append(s.unset, name)
		}
		return val
	})
}

// err names the unset variables of a channel of the kind what ("webhook",
// "email"), or is nil when every one was set.
func (s *secrets) err(what string) error {
	if len(s.unset) == 0 {
		return nil
	}
	return fmt.Errorf("expand %s: environment variable %s not set (export it before running herald)", what, strings.Join(s.unset, ", "))
}
