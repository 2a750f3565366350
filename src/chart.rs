//! Draws the error-rate chart on any plotters backend: a canvas in the browser, SVG in tests.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::view::chart::{ChartData, ChartMetric};
use crate::view::format::elapsed_label;

/// Text and grid colours, chosen for at least 4.5:1 contrast on white.
const INK: RGBColor = RGBColor(0x1f, 0x29, 0x37);
const GRID: RGBColor = RGBColor(0xe5, 0xe7, 0xeb);
const THRESHOLD: RGBColor = RGBColor(0xb9, 0x1c, 0x1c);
const MARKER: RGBColor = RGBColor(0x4b, 0x55, 0x63);

/// Draws `data` filling `area`.
pub fn draw_error_rate_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &ChartData,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&WHITE)?;
    // Plot in minutes so axis labels land on whole minutes.
    let (x_start, x_end) = (data.x_range.0 / 60.0, data.x_range.1 / 60.0);
    let mut chart = ChartBuilder::on(area)
        .margin_top(12)
        .margin_right(24)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(x_start..x_end, 0.0..data.y_max)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .axis_style(MARKER)
        .label_style(("sans-serif", 14).into_font().color(&INK))
        .x_labels(7)
        .y_labels(6)
        .x_label_formatter(&|minutes| elapsed_label((minutes.max(0.0) * 60.0).round() as u64))
        .y_label_formatter(&|value| match data.metric {
            ChartMetric::ErrorRate if data.y_max < 10.0 => format!("{value:.1} %"),
            ChartMetric::ErrorRate => format!("{value:.0} %"),
            ChartMetric::P95 if *value >= 1_000.0 => format!("{:.1} s", value / 1_000.0),
            ChartMetric::P95 => format!("{value:.0} ms"),
            ChartMetric::Requests => format!("{value:.0}"),
        })
        .draw()?;

    // The threshold: above this line the gate (or the course's latency limit) fails.
    if let Some((threshold, label)) = &data.threshold {
        chart.draw_series(DashedLineSeries::new(
            [(x_start, *threshold), (x_end, *threshold)],
            8,
            5,
            THRESHOLD.stroke_width(2),
        ))?;
        let label_style = ("sans-serif", 14).into_font().color(&THRESHOLD);
        chart.draw_series(std::iter::once(Text::new(
            label.clone(),
            (
                x_start + (x_end - x_start) * 0.01,
                threshold + data.y_max * 0.1,
            ),
            label_style,
        )))?;
    }

    // Labels closer than 6 % of the width would overprint each other; the line still marks the moment.
    let mut last_label_at = f64::NEG_INFINITY;
    for (at_s, label) in &data.markers {
        let at = at_s / 60.0;
        let show_label = at - last_label_at > (x_end - x_start) * 0.06;
        if show_label {
            last_label_at = at;
        }
        chart.draw_series(DashedLineSeries::new(
            [(at, 0.0), (at, data.y_max)],
            4,
            4,
            MARKER.stroke_width(1),
        ))?;
        if show_label {
            let marker_style = ("sans-serif", 13).into_font().color(&MARKER);
            chart.draw_series(std::iter::once(Text::new(
                label.clone(),
                (at + (x_end - x_start) * 0.005, data.y_max * 0.97),
                marker_style,
            )))?;
        }
    }

    for series in &data.series {
        let colour = parse_hex(series.colour);
        chart.draw_series(LineSeries::new(
            series
                .points
                .iter()
                .map(|(seconds, percent)| (seconds / 60.0, *percent)),
            colour.stroke_width(3),
        ))?;
    }
    area.present()
}

/// `#rrggbb` to a plotters colour; unparseable input draws black rather than failing.
fn parse_hex(hex: &str) -> RGBColor {
    if hex.len() != 7 || !hex.starts_with('#') {
        return BLACK;
    }
    let channel = |range: std::ops::Range<usize>| {
        hex.get(range)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(0)
    };
    RGBColor(channel(1..3), channel(3..5), channel(5..7))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_colours_parse() {
        assert_eq!(parse_hex("#1d4ed8"), RGBColor(0x1d, 0x4e, 0xd8));
        assert_eq!(parse_hex("bad"), RGBColor(0, 0, 0));
    }
}
