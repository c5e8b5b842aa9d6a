package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

// asset is one embedded static file.
type asset struct {
	body        []byte
	contentType string
	// version is a hash of the content: pages link to
	// /static/<name>?v=<version>, so a browser may keep a file for a year
	// and still never uses an old one after an upgrade.
	version string
}

type assets struct{ files map[string]asset }

func loadAssets(fsys fs.FS) (*assets, error) {
	a := &assets{files: map[string]asset{}}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ct := mime.TypeByExtension(path.Ext(name))
		switch path.Ext(name) {
		case ".js":
			ct = "text/javascript; charset=utf-8"
		case ".css":
			ct = "text/css; charset=utf-8"
		}
		a.files[name] = asset{body: b, contentType: ct, version: hex.EncodeToString(sum[:6])}
		return nil
	})
	return a, err
}

// url is the versioned address of a static file, for the templates.
func (a *assets) url(name string) string {
	f, ok := a.files[name]
	if !ok {
		panic("web: no static file " + name) // caught when the templates are tested
	}
	return "/static/" + name + "?v=" + f.version
}

// serveStatic serves an embedded file. A request that names the current
// version may be cached for good; any other for a short while.
func (p *Pages) serveStatic(c *gin.Context) {
	name := strings.TrimPrefix(c.Param("file"), "/")
	f, ok := p.assets.files[name]
	if !ok {
		p.notFound(c)
		return
	}
	if c.Query("v") == f.version {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Header("Cache-Control", "public, max-age=300")
	}
	etag := `"` + f.version + `"`
	c.Header("ETag", etag)
	if c.GetHeader("If-None-Match") == etag {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, f.contentType, f.body)
}
