// Package e2e drives the founder's pages in a real, headless Chromium
// against the real cloudroute binary: `cloudroute serve` on a free port, a
// fresh database and a private Redis database, with routing done by the
// real worker. The tests fill the forms by their labels, as a person does,
// check every page with axe-core, on a 375 px phone screen and by
// keyboard, and write the screenshots of docs/screenshots when
// UPDATE_SCREENSHOTS=1.
//
// The package has no non-test code; this file only makes the folder a
// package.
package e2e
