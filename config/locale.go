package config

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/language"

	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/i18n"
	"github.com/herald-status/herald/strictyaml"
)

// checkLocale checks `locale:` and `languages:` and sets Locale to the
// site's language, written as herald writes it ("pt-br" is "pt-BR"). A
// locale is one herald ships or one the site adds with i18n/<tag>.yaml;
// what that file says is checked when the catalogs are loaded.
func (c *Config) checkLocale(doc *strictyaml.Doc) diag.List {
	tags := i18n.Tags(c.Dir)
	var errs diag.List
	check := func(path, s string) string {
		if tag, ok := i18n.Canonical(s, tags); ok {
			return tag
		}
		e := doc.Errorf(path, "unknown locale %q", s)
		_, err := language.Parse(s)
		switch closest := i18n.Closest(s, tags); {
		case closest != "":
			e.WithFix("use %q, the nearest locale herald has", closest)
		case err != nil || s == "":
			e.WithFix("write a BCP 47 tag such as de or pt-BR; herald has %s", strings.Join(tags, ", "))
		default:
			e.WithFix("herald has %s; to add a language, write %s/%s.yaml (docs/i18n.md)", strings.Join(tags, ", "), i18n.Dir, s)
		}
		errs = append(errs, e)
		return ""
	}
	switch {
	case doc.Has("languages"):
		if doc.Has("locale") {
			errs = append(errs, doc.Errorf("locale", "locale and languages are both set").WithFix("remove `locale:`; the first of languages is the site's locale"))
		}
		if len(c.Languages) == 0 && !doc.Failed("languages") {
			errs = append(errs, doc.Errorf("languages", "languages is empty").WithFix("list the site's languages, its locale first, e.g. `languages: [en, de]`"))
		}
		for i, s := range c.Languages {
			p := fmt.Sprintf("languages[%d]", i)
			tag := check(p, s)
			if j := slices.Index(c.Languages[:i], tag); tag != "" && j >= 0 {
				errs = append(errs, doc.Errorf(p, "%s is listed twice in languages", tag).WithFix("keep the first, languages[%d]", j))
			}
			if tag != "" {
				c.Languages[i] = tag
			}
		}
		if len(c.Languages) > 0 {
			c.Locale = c.Languages[0]
		}
	case doc.Has("locale"):
		c.Locale = check("locale", c.Locale)
	default:
		c.Locale = i18n.Default
	}
	return errs
}

// tags are the site's languages, its locale first; an unknown one is
// left empty by checkLocale.
func (c *Config) tags() []string {
	if len(c.Languages) > 0 {
		return c.Languages
	}
	return []string{c.Locale}
}

// LocaleOf returns the locale tag with the site's words: herald's
// catalogs with the site's i18n/ laid over them, or herald's alone for a
// config built without them (a test's). It is nil for a tag neither has.
func (c *Config) LocaleOf(tag string) *i18n.Locale {
	if c.Catalogs != nil {
		return c.Catalogs.For(tag)
	}
	return i18n.For(tag)
}
