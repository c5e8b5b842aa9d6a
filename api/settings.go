package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
)

func (s *Server) registerSettingsRoutes(r *gin.RouterGroup) {
	g := r.Group("/admin/settings", s.requireRole(domain.RoleAdmin))
	g.GET("", s.getSettings)
	g.PUT("", s.putSettings)
	r.GET("/admin/settings/audit", s.requireRole(domain.RoleAdmin), s.settingsAudit)
}

// settingsBody is the JSON form of the settings: routing_mode,
// close_rate_threshold and every whole-number setting of
// domain.IntSettings.
func settingsBody(st domain.Settings) map[string]any {
	m := map[string]any{"routing_mode": st.RoutingMode, "close_rate_threshold": st.CloseRateThreshold}
	for _, is := range domain.IntSettings {
		m[is.Name] = *is.Field(&st)
	}
	return m
}

func (s *Server) getSettings(c *gin.Context) {
	st, err := s.db.Settings(c.Request.Context())
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, settingsBody(st))
}

// putSettings takes any subset of the settings; the fields left out keep
// their value.
func (s *Server) putSettings(c *gin.Context) {
	var req map[string]json.RawMessage
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	var patch domain.SettingsPatch
	var bad []domain.FieldError
	for k, raw := range req {
		if string(bytes.TrimSpace(raw)) == "null" {
			continue // null leaves the setting as it is
		}
		var err error
		switch k {
		case "routing_mode":
			err = json.Unmarshal(raw, &patch.RoutingMode)
		case "close_rate_threshold":
			err = json.Unmarshal(raw, &patch.CloseRateThreshold)
		default:
			if !domain.IsIntSetting(k) {
				continue // unknown keys are ignored, as everywhere
			}
			var v int
			if err = json.Unmarshal(raw, &v); err == nil {
				if patch.Ints == nil {
					patch.Ints = map[string]int{}
				}
				patch.Ints[k] = v
			}
		}
		if err != nil {
			bad = append(bad, domain.FieldError{Field: k, Message: "has the wrong type"})
		}
	}
	sort.Slice(bad, func(i, j int) bool { return bad[i].Field < bad[j].Field })
	if len(bad) > 0 {
		respondError(c, &domain.Error{Code: domain.ECodeMalformed, Message: "a field has the wrong type", Fields: bad})
		return
	}
	st, err := s.db.UpdateSettings(c.Request.Context(), principal(c), patch)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, settingsBody(st))
}

func (s *Server) settingsAudit(c *gin.Context) {
	items, err := s.db.SettingsAudit(c.Request.Context(), 200)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": mapSlice(items, toSettingsChangeView)})
}
