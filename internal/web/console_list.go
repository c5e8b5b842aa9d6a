package web

import (
	"cmp"
	"net/url"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/postgres"
)

// The console's lists are sorted and paged on the server, and every
// filter, the sort and the page live in the address (?status=…&sort=…&
// dir=desc&page=2), so a view can be bookmarked and shared. Links keep the
// filters; sorting goes back to the first page.

// listView is one page of a list, and how to link to others.
type listView struct {
	path  string
	query url.Values
	// Sort is the column sorted on; Desc its direction.
	Sort string
	Desc bool
	// Page counts from 1; Pages is at least 1.
	Page, Pages int
	// Total is how many items match; From and To number those shown.
	Total, From, To int
	perPage         int
}

// newList reads the sort, direction and page of the request for a list
// whose sort keys are keys, sorted by def (descending when defDesc) unless
// the address says otherwise.
func newList(c *gin.Context, keys []string, def string, defDesc bool, perPage int) listView {
	l := listView{path: c.Request.URL.Path, query: url.Values{}, Sort: def, Desc: defDesc, Page: 1, perPage: perPage}
	for k, v := range c.Request.URL.Query() {
		l.query[k] = v
	}
	if s := c.Query("sort"); slices.Contains(keys, s) {
		l.Sort = s
		l.Desc = c.Query("dir") == "desc"
	}
	if n, err := strconv.Atoi(c.Query("page")); err == nil && n > 1 && n < 1_000_000 {
		l.Page = n
	}
	return l
}

// order is the storage query of this page.
func (l listView) order() postgres.ListOrder {
	return postgres.ListOrder{Sort: l.Sort, Desc: l.Desc, Offset: (l.Page - 1) * l.perPage, Limit: l.perPage}
}

// setTotal records how many items match, and numbers the page's shown
// items: shown of them are on this page.
func (l *listView) setTotal(total, shown int) {
	l.Total = total
	l.Pages = max(1, (total+l.perPage-1)/l.perPage)
	if shown > 0 {
		l.From = (l.Page-1)*l.perPage + 1
		l.To = l.From + shown - 1
	}
}

// href is the list's address with the given parameters changed ("" drops
// one).
func (l listView) href(kv ...string) string {
	q := url.Values{}
	for k, v := range l.query {
		q[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
		} else {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return l.path
	}
	return l.path + "?" + q.Encode()
}

// SortHref sorts by key: ascending first, the other way when the list is
// already sorted by it; always from the first page.
func (l listView) SortHref(key string) string {
	dir := ""
	if l.Sort == key && !l.Desc {
		dir = "desc"
	}
	return l.href("sort", key, "dir", dir, "page", "")
}

// AriaSort is the header's aria-sort: "ascending", "descending" or "none".
func (l listView) AriaSort(key string) string {
	switch {
	case l.Sort != key:
		return "none"
	case l.Desc:
		return "descending"
	}
	return "ascending"
}

// PrevHref and NextHref are the neighbouring pages, "" at either end.
func (l listView) PrevHref() string {
	if l.Page <= 1 {
		return ""
	}
	p := ""
	if l.Page > 2 {
		p = strconv.Itoa(l.Page - 1)
	}
	return l.href("page", p)
}

func (l listView) NextHref() string {
	if l.Page >= l.Pages {
		return ""
	}
	return l.href("page", strconv.Itoa(l.Page+1))
}

// Filtered reports whether a filter narrows the list, for the empty state.
func (l listView) Filtered() bool {
	for k, v := range l.query {
		if k != "sort" && k != "dir" && k != "page" && len(v) > 0 && v[0] != "" {
			return true
		}
	}
	return false
}

// ClearHref is the list without filters.
func (l listView) ClearHref() string { return l.path }

// sortPage sorts a short list that storage returns whole (users, keys,
// statements) by the list's column, and returns the list's page of it.
// by maps each sort key to a comparison.
func sortPage[T any](l *listView, items []T, by map[string]func(a, b T) int) []T {
	cmpf, ok := by[l.Sort]
	if ok {
		slices.SortStableFunc(items, func(a, b T) int {
			if l.Desc {
				return cmpf(b, a)
			}
			return cmpf(a, b)
		})
	}
	from := min((l.Page-1)*l.perPage, len(items))
	to := min(from+l.perPage, len(items))
	l.setTotal(len(items), to-from)
	return items[from:to]
}

// byString and byInt build the comparisons of sortPage.
func byString[T any](f func(T) string) func(a, b T) int {
	return func(a, b T) int { return cmp.Compare(f(a), f(b)) }
}

func byInt[T any](f func(T) int64) func(a, b T) int {
	return func(a, b T) int { return cmp.Compare(f(a), f(b)) }
}
