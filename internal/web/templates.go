package web

import (
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"

	"github.com/cloudroute/cloudroute/internal/web/form"
)

// pageFiles are the pages and their templates; every page also gets the
// shared ones.
var pageFiles = map[string]string{
	"intake":   "templates/intake.html",
	"status":   "templates/status.html",
	"access":   "templates/access.html",
	"reroute":  "templates/reroute.html",
	"withdraw": "templates/withdraw.html",
	"message":  "templates/message.html",
}

var sharedFiles = []string{"templates/layout.html", "templates/fields.html", "templates/problem.html"}

// consoleShared are the templates every console page gets: its layout and
// its parts. Every other file of templates/console is a page, named
// "c/<file name without .html>".
var consoleShared = []string{"templates/console/layout.html", "templates/console/parts.html"}

// parseTemplates parses every page once, at start; consoleFuncs are the
// console's functions that need the pages (the clock).
func parseTemplates(a *assets, consoleFuncs template.FuncMap) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"asset": a.url,
		"id":    form.ID,
		// args builds the argument map of a control template from
		// alternating names and values.
		"args": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("args: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("args: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		"options": func(name string) ([]option, error) {
			switch name {
			case form.Stage:
				return stageOptions, nil
			case form.Region:
				return regionOptions, nil
			case form.Vertical:
				return verticalOptions, nil
			case form.ServiceProfile:
				return profileOptions, nil
			case form.EngagementType:
				return engagementOptions, nil
			case form.CompetingCloud:
				return cloudOptions, nil
			}
			return nil, fmt.Errorf("options: no value set %q", name)
		},
		"pools":        func() []option { return poolOptions },
		"services":     func() any { return serviceGroups },
		"spendService": form.SpendService,
		"spendUSD":     form.SpendUSD,
		"inc":          func(i int) int { return i + 1 },
	}
	out := make(map[string]*template.Template, len(pageFiles))
	for name, file := range pageFiles {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, append([]string{file}, sharedFiles...)...)
		if err != nil {
			return nil, fmt.Errorf("web: parsing %s: %w", file, err)
		}
		out[name] = t
	}
	for k, v := range consoleFuncs {
		funcs[k] = v
	}
	files, err := fs.Glob(templateFS, "templates/console/*.html")
	if err != nil {
		return nil, err
	}
	for _, file := range files {
		if strings.HasSuffix(file, "/layout.html") || strings.HasSuffix(file, "/parts.html") {
			continue
		}
		name := "c/" + strings.TrimSuffix(path.Base(file), ".html")
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, append([]string{file}, consoleShared...)...)
		if err != nil {
			return nil, fmt.Errorf("web: parsing %s: %w", file, err)
		}
		out[name] = t
	}
	return out, nil
}
