// Package migrations embeds the numbered SQL files that build CloudRoute's
// schema. They are applied in order by postgres.Migrate, one transaction each.
package migrations

import "embed"

// FS holds every NNNN_name.sql file of this folder.
//
//go:embed *.sql
var FS embed.FS
