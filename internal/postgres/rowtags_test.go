package postgres_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestRowsHaveNoJSONTags keeps storage rows out of the HTTP contract. The
// API and the pages render their own view types, converted explicitly from
// these rows; a json tag here would let a row be sent as it is, and a
// change of storage would then change the contract unnoticed. Every struct
// type in the package's Go files is checked, named or anonymous, including
// fields of types declared inside functions.
func TestRowsHaveNoJSONTags(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			st, ok := n.(*ast.StructType)
			if !ok {
				return true
			}
			for _, field := range st.Fields.List {
				if field.Tag == nil {
					continue
				}
				tag, err := strconv.Unquote(field.Tag.Value)
				if err != nil {
					t.Errorf("%s: unreadable struct tag %s", fset.Position(field.Pos()), field.Tag.Value)
					continue
				}
				if v, ok := reflect.StructTag(tag).Lookup("json"); ok {
					t.Errorf("%s: struct tag json:%q: storage rows carry db tags only; give the adapter a view type with a converter",
						fset.Position(field.Pos()), v)
				}
			}
			return true
		})
	}
	if checked == 0 {
		t.Fatal("no Go files found: the test must run in the package's directory")
	}
}
