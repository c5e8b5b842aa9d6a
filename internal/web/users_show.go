package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/postgres"
)

// usersPage lists every person with a console account.
type usersPage struct {
	shell
	List  listView
	Users []userRow
}

type userRow struct {
	postgres.User
	PartnerName string
}

var userSorts = map[string]func(a, b userRow) int{
	"email":   byString(func(u userRow) string { return u.Email }),
	"name":    byString(func(u userRow) string { return u.Name }),
	"role":    byString(func(u userRow) string { return u.Role + u.PartnerName }),
	"status":  byString(func(u userRow) string { return u.Status }),
	"created": byInt(func(u userRow) int64 { return u.CreatedAt.UnixNano() }),
}

// showUsers is GET /console/users.
func (p *Pages) showUsers(c *gin.Context) {
	ctx := c.Request.Context()
	us, err := p.db.Users(ctx, "")
	if err != nil {
		p.fail(c, err)
		return
	}
	var ids []string
	for _, u := range us {
		if u.PartnerID != nil {
			ids = append(ids, *u.PartnerID)
		}
	}
	names, err := p.db.PartnerNames(ctx, ids)
	if err != nil {
		p.fail(c, err)
		return
	}
	rows := make([]userRow, len(us))
	for i, u := range us {
		rows[i] = userRow{User: u}
		if u.PartnerID != nil {
			rows[i].PartnerName = names[*u.PartnerID]
		}
	}
	pg := usersPage{shell: p.newShell(c, "Users"), List: newList(c, []string{"email", "name", "role", "status", "created"}, "created", true, 50)}
	pg.Users = sortPage(&pg.List, rows, userSorts)
	p.render(c, http.StatusOK, "c/users", pg)
}
