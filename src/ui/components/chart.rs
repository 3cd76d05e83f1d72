//! Charts as server-rendered SVG: bars per bucket (one colour per line), and a funnel. They read
//! without JavaScript: each bar carries a `<title>` (the browser's tooltip), the SVG is an
//! image labelled with a summary, and the numbers are below it as a table and a CSV link.
use crate::model::escape_html;
use leptos::prelude::*;

/// One series of a chart: its label, CSS class (colour) and a value per bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub label: &'static str,
    pub class: &'static str,
    pub values: Vec<i64>,
}

const W: f64 = 720.0;
const H: f64 = 220.0;
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 28.0;
const TOP: f64 = 10.0;

/// A round axis maximum at or above `max` (1, 2 or 5 times a power of ten).
pub fn nice_max(max: i64) -> i64 {
    if max <= 0 {
        return 1;
    }
    let mut p = 1i64;
    loop {
        for m in [1, 2, 5] {
            if m * p >= max {
                return m * p;
            }
        }
        p = p.saturating_mul(10);
    }
}

/// The bar chart's SVG: `labels` name the buckets (dates), `lines` the series; `id` makes the
/// title and description ids unique on the page; `summary` is read by screen readers.
pub fn bars_svg(id: &str, title: &str, summary: &str, labels: &[String], lines: &[Line]) -> String {
    let n = labels.len().max(1);
    let max = nice_max(lines.iter().flat_map(|l| l.values.iter().copied()).max().unwrap_or(0));
    let plot_w = W - LEFT - 8.0;
    let plot_h = H - TOP - BOTTOM;
    let slot = plot_w / n as f64;
    let bar = (slot * 0.8 / lines.len().max(1) as f64).max(0.5);
    let y = |v: i64| TOP + plot_h - plot_h * v as f64 / max as f64;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" preserveAspectRatio=\"none\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape_html(title),
        escape_html(summary)
    );
    for k in 0..=2 {
        let v = max * k / 2;
        let yy = y(v);
        s.push_str(&format!(
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\"/><text class=\"axis\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{v}</text>",
            W - 8.0,
            LEFT - 6.0,
            yy + 4.0
        ));
    }
    for (i, label) in labels.iter().enumerate() {
        let x0 = LEFT + slot * i as f64 + slot * 0.1;
        for (j, l) in lines.iter().enumerate() {
            let v = l.values.get(i).copied().unwrap_or(0);
            let top = y(v);
            s.push_str(&format!(
                "<rect class=\"{}\" x=\"{:.2}\" y=\"{top:.2}\" width=\"{bar:.2}\" height=\"{:.2}\"><title>{} · {}: {v}</title></rect>",
                l.class,
                x0 + bar * j as f64,
                (TOP + plot_h - top).max(0.0),
                escape_html(label),
                escape_html(l.label)
            ));
        }
    }
    let every = n.div_ceil(8);
    for (i, label) in labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let x = LEFT + slot * i as f64 + slot / 2.0;
        s.push_str(&format!(
            "<text class=\"axis\" x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            H - 8.0,
            escape_html(&label[label.len().saturating_sub(5)..])
        ));
    }
    s.push_str("</svg>");
    s
}

/// The funnel's SVG: one horizontal bar per step with its count and the share of the step before.
pub fn funnel_svg(id: &str, title: &str, steps: &[(&str, i64)]) -> String {
    let row = 34.0;
    let h = row * steps.len() as f64 + 8.0;
    let max = steps.iter().map(|s| s.1).max().unwrap_or(0).max(1);
    let summary: Vec<String> = steps.iter().map(|(l, v)| format!("{l}: {v}")).collect();
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart funnel\" viewBox=\"0 0 {W} {h}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape_html(title),
        escape_html(&summary.join("; "))
    );
    let bar_w = W - 260.0;
    for (i, (label, v)) in steps.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        let w = (bar_w * *v as f64 / max as f64).max(if *v > 0 { 2.0 } else { 0.0 });
        let share = if i == 0 {
            String::new()
        } else {
            let before = steps[i - 1].1;
            if before > 0 { format!(" ({:.1} % of the step before)", *v as f64 * 100.0 / before as f64) } else { String::new() }
        };
        s.push_str(&format!(
            "<text class=\"label\" x=\"0\" y=\"{:.1}\">{}</text><rect class=\"step step-{i}\" x=\"200\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"24\"><title>{}: {v}{}</title></rect>\
             <text class=\"value\" x=\"{:.1}\" y=\"{:.1}\">{v}</text>",
            y + 16.0,
            escape_html(label),
            escape_html(label),
            escape_html(&share),
            206.0 + w,
            y + 16.0
        ));
    }
    s.push_str("</svg>");
    s
}

/// A bar chart with its legend, the numbers as a table and the CSV download.
#[component]
pub fn SeriesChart(id: &'static str, title: String, labels: Vec<String>, lines: Vec<Line>, csv_href: String, #[prop(optional)] compact: bool) -> impl IntoView {
    let totals: Vec<String> = lines.iter().map(|l| format!("{} {}", l.values.iter().sum::<i64>(), l.label.to_lowercase())).collect();
    let summary = format!(
        "{} buckets from {} to {}: {}.",
        labels.len(),
        labels.first().cloned().unwrap_or_default(),
        labels.last().cloned().unwrap_or_default(),
        totals.join(", ")
    );
    let svg = bars_svg(id, &title, &summary, &labels, &lines);
    let rows: Vec<(String, Vec<i64>)> =
        labels.iter().enumerate().map(|(i, l)| (l.clone(), lines.iter().map(|x| x.values.get(i).copied().unwrap_or(0)).collect())).collect();
    let heads = lines.iter().map(|l| l.label).collect::<Vec<_>>();
    view! {
        <figure class=if compact { "chart-figure compact" } else { "chart-figure" } data-chart=id>
            <figcaption>{title.clone()}</figcaption>
            <div class="chart-box" inner_html=svg></div>
            <ul class="legend">
                {lines.iter().map(|l| view! { <li><span class=format!("swatch {}", l.class)></span>{l.label}</li> }).collect_view()}
            </ul>
            <details class="chart-numbers">
                <summary>"Numbers as a table"</summary>
                <table class="table" aria-label=format!("{title} (numbers)")>
                    <thead><tr><th scope="col">"Start"</th>{heads.iter().map(|h| view! { <th scope="col" class="num">{*h}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {rows.into_iter().map(|(l, vs)| view! {
                            <tr><th scope="row">{l}</th>{vs.into_iter().map(|v| view! { <td class="num">{v}</td> }).collect_view()}</tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
            <p class="chart-csv"><a href=csv_href download rel="external">"Download as CSV"</a></p>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_round_up() {
        assert_eq!([nice_max(0), nice_max(1), nice_max(3), nice_max(7), nice_max(11), nice_max(999_999)], [1, 1, 5, 10, 20, 1_000_000]);
    }

    #[test]
    fn bars_are_labelled_and_escaped() {
        let labels = vec!["2026-11-30".to_string(), "2026-12-01".to_string()];
        let lines = vec![Line { label: "Coupons <redeemed>", class: "c1", values: vec![4, 0] }];
        let svg = bars_svg("t", "A & B", "sum", &labels, &lines);
        assert!(svg.contains("role=\"img\"") && svg.contains("aria-labelledby=\"t-title t-desc\""));
        assert!(svg.contains("<title id=\"t-title\">A &amp; B</title>"));
        assert!(svg.contains("<title>2026-11-30 · Coupons &lt;redeemed&gt;: 4</title>"));
        assert_eq!(svg.matches("<rect").count(), 2);
        // The tallest bar reaches the top of the plot (max 4 → axis 5: 80 %).
        assert!(svg.contains("height=\"145.60\""), "{svg}");
    }

    #[test]
    fn funnel_shows_each_step_and_its_share() {
        let svg = funnel_svg("f", "Funnel", &[("Presented", 200), ("Redeemed", 50), ("Completed", 0)]);
        assert!(svg.contains("Redeemed: 50 (25.0 % of the step before)"));
        assert!(svg.contains("width=\"0.0\""));
    }
}
