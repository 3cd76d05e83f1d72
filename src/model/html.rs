//! HTML helpers shared by the server and the browser: escaping, and filling an HTML experience's
//! offer placeholders.

pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// The placeholders an HTML experience may use; each is filled HTML-escaped.
pub const OFFER_PLACEHOLDERS: [&str; 5] = ["title", "price", "description", "token", "id"];

/// Fills `{{offer.title}}`, `{{offer.price}}`, `{{offer.description}}`, `{{offer.token}}` and
/// `{{offer.id}}` of an HTML experience with the presented offer's values, HTML-escaped (empty
/// when no offer is presented). Shared by surface decisions and the dashboard's live preview.
pub fn fill_offer_placeholders(html: &str, offer: Option<&serde_json::Value>) -> String {
    let get = |k: &str| -> String {
        offer
            .and_then(|o| match k {
                "title" | "price" | "description" => o["presentation"][k].as_str(),
                _ => o[k].as_str(),
            })
            .map(escape_html)
            .unwrap_or_default()
    };
    let mut out = html.to_string();
    for k in OFFER_PLACEHOLDERS {
        out = out.replace(&format!("{{{{offer.{k}}}}}"), &get(k));
    }
    out
}
