package web

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"io"
	"math"
	"time"

	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// Charts are drawn on the server by go-chart as SVG, and embedded in the
// page as data: images: nothing is loaded from another host, no script
// draws them, and the page's Content-Security-Policy (img-src 'self'
// data:) holds. Each chart comes with the same figures as a table, for
// screen readers and for anyone who would rather read them.

// chartImage is a drawn chart, ready for <img src>.
type chartImage struct {
	// Src is the chart as a data: URL. It is our own SVG, drawn from
	// numbers and fixed labels only, never from text a person typed.
	Src template.URL
	// Alt says in a sentence what the chart shows.
	Alt string
}

// The charts' colours: those of the pages' stylesheet.
var (
	chartBlue   = drawing.ColorFromHex("0b57d0")
	chartOrange = drawing.ColorFromHex("c2410c")
	chartGreen  = drawing.ColorFromHex("1e7b3a")
	chartInk    = drawing.ColorFromHex("1b1f24")
	chartGrid   = drawing.ColorFromHex("d0d7de")
)

const (
	chartWidth  = 640
	chartHeight = 300
)

// render draws r as SVG into a data: URL.
func renderChart(r interface {
	Render(chart.RendererProvider, io.Writer) error
}, alt string) (chartImage, error) {
	var buf bytes.Buffer
	if err := r.Render(chart.SVG, &buf); err != nil {
		return chartImage{}, err
	}
	return chartImage{Src: template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())), Alt: alt}, nil
}

// bar is one bar of a bar chart.
type bar struct {
	Label string
	Value float64
}

// barChart draws bars, with the y axis from 0 to a round value a little
// above the highest bar, or to top when it is set (100 for a percentage);
// yFormat writes the axis' values.
func barChart(bars []bar, color drawing.Color, yFormat func(float64) string, top float64, alt string) (chartImage, error) {
	fixed := top > 0
	values := make([]chart.Value, len(bars))
	for i, b := range bars {
		if !fixed {
			top = math.Max(top, b.Value)
		}
		values[i] = chart.Value{Label: b.Label, Value: b.Value,
			Style: chart.Style{FillColor: color, StrokeColor: color, StrokeWidth: 1}}
	}
	if len(values) == 0 {
		values = []chart.Value{{Label: "none", Value: 0}}
	}
	width := max(chartWidth, 60*len(values))
	bc := chart.BarChart{
		Width: width, Height: chartHeight, BarWidth: max(12, min(48, (width-120)/max(1, len(values))-10)),
		Background: chart.Style{Padding: chart.Box{Top: 24, Left: 16, Right: 16, Bottom: 16}},
		XAxis:      chart.Style{FontColor: chartInk, FontSize: 9},
		YAxis: chart.YAxis{Style: chart.Style{FontColor: chartInk, FontSize: 9},
			Range: &chart.ContinuousRange{Min: 0, Max: axisTop(top, fixed)},
			Ticks: ticks(axisTop(top, fixed), yFormat)},
		Bars: values,
	}
	return renderChart(bc, alt)
}

// line is one series of a line chart over time.
type line struct {
	Name   string
	Color  drawing.Color
	Times  []time.Time
	Values []float64
}

// lineChart draws series over time, from first to last, with a legend;
// yFormat writes the axis' values, and the x axis names months.
func lineChart(series []line, first, last time.Time, yFormat func(float64) string, alt string) (chartImage, error) {
	top := 0.0
	var ss []chart.Series
	for _, l := range series {
		for _, v := range l.Values {
			top = math.Max(top, v)
		}
		ts := l.Times
		vs := l.Values
		if len(ts) == 1 {
			// One point draws no line: widen it to a short flat segment,
			// whose dots mark the figure.
			ts = []time.Time{ts[0].AddDate(0, 0, -2), ts[0]}
			vs = []float64{vs[0], vs[0]}
		}
		if len(ts) == 0 {
			continue
		}
		ss = append(ss, chart.TimeSeries{Name: l.Name, XValues: ts, YValues: vs,
			Style: chart.Style{StrokeColor: l.Color, StrokeWidth: 2.5, DotColor: l.Color, DotWidth: 3}})
	}
	if len(ss) == 0 {
		ss = []chart.Series{chart.TimeSeries{Name: "no data yet", XValues: []time.Time{first, last}, YValues: []float64{0, 0},
			Style: chart.Style{StrokeColor: chartGrid}}}
	}
	c := chart.Chart{
		Width: chartWidth, Height: chartHeight,
		Background: chart.Style{Padding: chart.Box{Top: 40, Left: 16, Right: 24, Bottom: 16}},
		XAxis: chart.XAxis{Style: chart.Style{FontColor: chartInk, FontSize: 9},
			Ticks: monthTicks(first, last)},
		YAxis: chart.YAxis{Style: chart.Style{FontColor: chartInk, FontSize: 9},
			Range:          &chart.ContinuousRange{Min: 0, Max: niceTop(top)},
			Ticks:          ticks(niceTop(top), yFormat),
			GridMajorStyle: chart.Style{StrokeColor: chartGrid, StrokeWidth: 1}},
		Series: ss,
	}
	c.Elements = []chart.Renderable{chart.LegendThin(&c, chart.Style{FontColor: chartInk, FontSize: 9})}
	return renderChart(c, alt)
}

// axisTop is the top of a bar chart's axis: top itself when it is fixed,
// otherwise a round value above it.
func axisTop(top float64, fixed bool) float64 {
	if fixed {
		return top
	}
	return niceTop(top)
}

// ticks are five evenly spaced values from 0 to top.
func ticks(top float64, format func(float64) string) []chart.Tick {
	out := make([]chart.Tick, 5)
	for i := range out {
		v := top * float64(i) / 4
		out[i] = chart.Tick{Value: v, Label: format(v)}
	}
	return out
}

// monthTicks name the first day of months from first to last, at most
// about eight of them, the last month always: the ticks set the x axis'
// range (go-chart's rule), so it ends on the last month's first day, where
// its figures are drawn.
func monthTicks(first, last time.Time) []chart.Tick {
	var months []time.Time
	for m := first; !m.After(last); m = m.AddDate(0, 1, 0) {
		months = append(months, m)
	}
	step := max(1, (len(months)+7)/8)
	var out []chart.Tick
	for i := len(months) - 1; i >= 0; i -= step {
		out = append([]chart.Tick{{Value: float64(months[i].UnixNano()), Label: months[i].Format("Jan 06")}}, out...)
	}
	if len(out) > 0 && out[0].Value != float64(first.UnixNano()) {
		out = append([]chart.Tick{{Value: float64(first.UnixNano()), Label: ""}}, out...)
	}
	return out
}

// niceTop is a round maximum for an axis of four steps whose highest
// value is v: a little above it, each step a round number, never 0.
func niceTop(v float64) float64 {
	if v <= 0 {
		return 1
	}
	raw := v * 1.05 / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10} {
		if m*mag >= raw {
			return 4 * m * mag
		}
	}
	return 40 * mag
}
