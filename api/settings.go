package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
)

func (s *Server) registerSettingsRoutes(r *gin.RouterGroup) {
	g := r.Group("/admin/settings", s.requireRole(domain.RoleAdmin))
	g.GET("", s.getSettings)
	g.PUT("", s.putSettings)
	r.GET("/admin/settings/audit", s.requireRole(domain.RoleAdmin), s.settingsAudit)
}

type settingsBody struct {
	RoutingMode          string  `json:"routing_mode"`
	CloseRateThreshold   float64 `json:"close_rate_threshold"`
	WindowDays           int     `json:"window_days"`
	OfferTTLHours        int     `json:"offer_ttl_hours"`
	DefaultCommissionBPS int     `json:"default_commission_bps"`
}

func toSettingsBody(st domain.Settings) settingsBody {
	return settingsBody{RoutingMode: st.RoutingMode, CloseRateThreshold: st.CloseRateThreshold, WindowDays: st.WindowDays,
		OfferTTLHours: st.OfferTTLHours, DefaultCommissionBPS: st.DefaultCommissionBPS}
}

func (s *Server) getSettings(c *gin.Context) {
	st, err := s.db.Settings(c.Request.Context())
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, toSettingsBody(st))
}

// putSettings takes any subset of the settings; the fields left out keep
// their value.
func (s *Server) putSettings(c *gin.Context) {
	var req struct {
		RoutingMode          *string  `json:"routing_mode"`
		CloseRateThreshold   *float64 `json:"close_rate_threshold"`
		WindowDays           *int     `json:"window_days"`
		OfferTTLHours        *int     `json:"offer_ttl_hours"`
		DefaultCommissionBPS *int     `json:"default_commission_bps"`
	}
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	st, err := s.db.UpdateSettings(c.Request.Context(), principal(c).KeyID, domain.SettingsPatch{
		RoutingMode: req.RoutingMode, CloseRateThreshold: req.CloseRateThreshold, WindowDays: req.WindowDays,
		OfferTTLHours: req.OfferTTLHours, DefaultCommissionBPS: req.DefaultCommissionBPS})
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, toSettingsBody(st))
}

func (s *Server) settingsAudit(c *gin.Context) {
	items, err := s.db.SettingsAudit(c.Request.Context(), 200)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}
