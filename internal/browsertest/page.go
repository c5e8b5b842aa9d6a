package browsertest

import (
	"encoding/json"
	"fmt"
)

// The helpers find elements the way a person does, by their visible text.
// The lookups run in the page, as JavaScript: only the browser knows which
// control a <label> names (HTMLLabelElement.control follows for="id" and
// nesting alike) and what is visible. Each expression is self-contained,
// because a page load discards whatever an earlier one defined.

// pagePrelude defines norm (collapse white space) and ownText (the text of
// an element without the text of form controls nested in it, so that a
// label wrapping a <select> reads as its own words).
const pagePrelude = `
const norm = s => String(s == null ? "" : s).replace(/\s+/g, " ").trim();
const ownText = el => {
	const c = el.cloneNode(true);
	c.querySelectorAll("input, select, textarea, button, datalist").forEach(n => n.remove());
	return norm(c.textContent);
};
const visible = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length) &&
	getComputedStyle(el).visibility !== "hidden";
const q = s => JSON.stringify(s);
`

// finderJS is a function (kind, group, text) → {el, control, info}. kind is
// "label", "button" or "link"; group, when not empty, limits the search to
// the fieldsets whose legend reads it. info is {kind} on success, where
// kind says how to fill the control (text, select, picker, checkable), or
// {err} saying what is wrong; el is what to click or type into.
const finderJS = `(function (kind, group, text) {
` + pagePrelude + `
	const want = norm(text);
	const where = group ? " in the fieldset " + q(norm(group)) : "";
	const fail = msg => ({ el: null, control: null, info: { err: msg } });
	let scopes = [document];
	if (group) {
		scopes = [...document.querySelectorAll("fieldset")].filter(f => {
			const l = f.querySelector(":scope > legend");
			return l && norm(l.textContent) === norm(group);
		});
		if (scopes.length === 0) {
			const legends = [...document.querySelectorAll("fieldset > legend")].map(l => q(norm(l.textContent)));
			return fail("no fieldset has the legend " + q(norm(group)) + "; legends on the page: " + (legends.join(", ") || "none"));
		}
	}
	const all = sel => scopes.flatMap(s => [...s.querySelectorAll(sel)]);

	if (kind === "label") {
		const labels = all("label");
		const hits = labels.filter(l => ownText(l) === want);
		if (hits.length === 0) {
			return fail("no <label> reads " + q(want) + where + "; labels: " + (labels.map(l => q(ownText(l))).join(", ") || "none"));
		}
		if (hits.length > 1) {
			return fail(hits.length + " labels read " + q(want) + where + "; name the fieldset (FillByLabelIn, CheckIn)");
		}
		const label = hits[0];
		const el = label.control;
		if (!el) {
			if (label.htmlFor) {
				return fail("the label " + q(want) + " points to id " + q(label.htmlFor) + ", but no form control has that id");
			}
			return fail("the label " + q(want) + " has no for attribute and no form control inside it");
		}
		if (el.disabled) return fail("the control of the label " + q(want) + " is disabled");
		const tag = el.tagName.toLowerCase();
		const type = (el.getAttribute("type") || "").toLowerCase();
		let k = "other " + tag;
		if (tag === "select") k = "select";
		else if (tag === "textarea") k = "text";
		else if (tag === "input") {
			if (type === "checkbox" || type === "radio") k = "checkable";
			else if (["date", "time", "datetime-local", "month", "week", "color", "range"].includes(type)) k = "picker";
			else if (["hidden", "file", "submit", "button", "reset", "image"].includes(type)) k = "other input type=" + type;
			else k = "text";
		}
		if (k === "checkable" && !visible(el)) {
			// A styled checkbox often hides the box itself; a person
			// clicks its label.
			if (!visible(label)) return fail("the label " + q(want) + " and its control are hidden");
			return { el: label, control: el, info: { kind: k } };
		}
		if (!visible(el)) return fail("the control of the label " + q(want) + " is hidden");
		return { el: el, control: el, info: { kind: k } };
	}

	let sel, name;
	if (kind === "button") {
		sel = "button, input[type=submit], input[type=button], input[type=reset], input[type=image], [role=button]";
		name = el => norm(el.getAttribute("aria-label")) ||
			(el.tagName === "INPUT" ? norm(el.value || el.alt) : norm(el.textContent));
	} else if (kind === "link") {
		sel = "a[href]";
		name = el => norm(el.getAttribute("aria-label")) || norm(el.textContent);
	} else {
		return fail("unknown kind " + q(kind));
	}
	const shown = all(sel).filter(visible);
	const hits = shown.filter(el => name(el) === want);
	if (hits.length === 0) {
		return fail("no visible " + kind + " reads " + q(want) + where + "; " + kind + "s: " + (shown.map(el => q(name(el))).join(", ") || "none"));
	}
	if (hits.length > 1) return fail(hits.length + " visible " + kind + "s read " + q(want) + where);
	if (hits[0].disabled || hits[0].getAttribute("aria-disabled") === "true") {
		return fail("the " + kind + " " + q(want) + " is disabled");
	}
	return { el: hits[0], control: hits[0], info: { kind: kind } };
})`

// findExpr returns an expression for the finder's result; append ".el",
// ".control" or ".info".
func findExpr(kind, group, text string) string {
	return fmt.Sprintf("%s(%s, %s, %s)", finderJS, jsString(kind), jsString(group), jsString(text))
}

// setValueExpr sets the value of a labelled control directly and fires the
// input and change events that typing or picking would fire.
func setValueExpr(kind, group, label, value string) string {
	return fmt.Sprintf(`(function (r, v) {
	const el = r.control;
	el.focus();
	el.value = v;
	el.dispatchEvent(new Event("input", { bubbles: true }));
	el.dispatchEvent(new Event("change", { bubbles: true }));
})(%s, %s)`, findExpr(kind, group, label), jsString(value))
}

// selectOptionExpr picks the option of a labelled <select> whose text (or
// else value) is value. It evaluates to "" on success and to the reason
// otherwise.
func selectOptionExpr(group, label, value string) string {
	return fmt.Sprintf(`(function (r, v) {
`+pagePrelude+`
	const s = r.control;
	const opts = [...s.options];
	const o = opts.find(o => norm(o.text) === norm(v)) || opts.find(o => o.value === v);
	if (!o) return "no option reads " + q(v) + "; options: " + opts.map(o => q(norm(o.text))).join(", ");
	if (o.disabled) return "the option " + q(v) + " is disabled";
	s.focus();
	s.value = o.value;
	s.dispatchEvent(new Event("input", { bubbles: true }));
	s.dispatchEvent(new Event("change", { bubbles: true }));
	return "";
})(%s, %s)`, findExpr("label", group, label), jsString(value))
}

const bodyTextExpr = `document.body ? document.body.innerText : ""`

// focusedExpr describes document.activeElement as `tag "name"`.
const focusedExpr = `(function () {
` + pagePrelude + `
	const el = document.activeElement;
	if (!el || el === document.body || el === document.documentElement) return 'body ""';
	const tag = el.tagName.toLowerCase();
	const type = (el.getAttribute("type") || "").toLowerCase();
	let name = norm(el.getAttribute("aria-label"));
	if (!name && el.labels && el.labels.length) name = ownText(el.labels[0]);
	if (!name && tag === "input" && ["submit", "button", "reset"].includes(type)) name = norm(el.value);
	if (!name && tag !== "input" && tag !== "select" && tag !== "textarea") name = norm(el.textContent);
	return tag + " " + JSON.stringify(name);
})()`

// jsString quotes s as a JavaScript string literal. JSON strings are
// JavaScript strings.
func jsString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // a Go string always encodes
	}
	return string(b)
}
