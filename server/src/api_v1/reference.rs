//! `/api/v1/reference`: the API reference for people, drawn on the server from the same OpenAPI
//! document `/api/v1/openapi.json` serves (so the two cannot differ). Plain HTML and its own
//! small stylesheet from this origin: it works offline, needs no script and keeps the strict
//! Content-Security-Policy.

use serde_json::Value;
use std::fmt::Write;

/// The stylesheet of the page, served at `/api/v1/reference.css`.
pub const STYLESHEET: &str = "
body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1.5rem; color: #1d2433; background: #fff; }
h1 { margin-bottom: .25rem; } h2 { margin-top: 2.5rem; border-top: 1px solid #d8dde6; padding-top: 1rem; }
h3 { margin-bottom: .25rem; font-size: 1rem; }
code, .method { font-family: ui-monospace, monospace; font-size: .9em; }
.method { display: inline-block; min-width: 4rem; font-weight: 700; color: #1f4fd1; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid #e4e8ef; }
th { font-size: .8rem; text-transform: uppercase; color: #5b6474; }
nav ul { columns: 2; } .muted { color: #5b6474; }
@media (prefers-color-scheme: dark) { body { background: #12161f; color: #e6e9ef; } th, .muted { color: #a8b0bf; }
  h2, th, td { border-color: #2c3342; } .method { color: #8fb3ff; } a { color: #8fb3ff; } }
";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// `#/components/schemas/Customer` → `Customer`.
fn ref_name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

/// A schema's type as people read it: `string`, `integer | null`, `array of Customer`, a link.
fn type_of(schema: &Value) -> String {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = ref_name(reference);
        return format!("<a href=\"#schema-{name}\">{name}</a>");
    }
    for combined in ["oneOf", "anyOf", "allOf"] {
        if let Some(options) = schema[combined].as_array() {
            return options.iter().map(type_of).collect::<Vec<_>>().join(" | ");
        }
    }
    let kind = match &schema["type"] {
        Value::String(kind) => kind.clone(),
        Value::Array(kinds) => kinds.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" | "),
        _ => String::new(),
    };
    let mut text = if kind.starts_with("array") {
        format!("array of {}", type_of(&schema["items"]))
    } else if kind.starts_with("object") && schema["additionalProperties"].is_object() {
        format!("map of {}", type_of(&schema["additionalProperties"]))
    } else if kind.is_empty() {
        "any".to_string()
    } else {
        escape(&kind)
    };
    if let Some(values) = schema["enum"].as_array() {
        let values: Vec<String> = values.iter().map(|v| format!("<code>{}</code>", escape(&v.to_string()))).collect();
        text = format!("one of {}", values.join(", "));
    }
    let mut limits = Vec::new();
    for (key, word) in [
        ("minimum", "≥"),
        ("maximum", "≤"),
        ("minLength", "length ≥"),
        ("maxLength", "length ≤"),
        ("maxItems", "items ≤"),
    ] {
        if let Some(n) = schema[key].as_i64() {
            limits.push(format!("{word} {n}"));
        }
    }
    if let Some(pattern) = schema["pattern"].as_str() {
        limits.push(format!("<code>{}</code>", escape(pattern)));
    }
    if let Some(format) = schema["format"].as_str() {
        limits.push(escape(format));
    }
    if limits.is_empty() {
        text
    } else {
        format!("{text} ({})", limits.join(", "))
    }
}

/// Escaped text with its `code spans` as code.
fn prose(text: &str) -> String {
    escape(text)
        .split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { format!("<code>{part}</code>") } else { part.to_string() })
        .collect()
}

fn description(value: &Value) -> String {
    prose(value["description"].as_str().unwrap_or_default())
}

fn properties_table(out: &mut String, schema: &Value) {
    let Some(properties) = schema["properties"].as_object() else { return };
    let required: Vec<&str> =
        schema["required"].as_array().map(|r| r.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    out.push_str(
        "<table><thead><tr><th>Field</th><th>Type</th><th>Required</th><th>Description</th></tr></thead><tbody>",
    );
    for (name, property) in properties {
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(name),
            type_of(property),
            if required.contains(&name.as_str()) { "yes" } else { "" },
            description(property)
        );
    }
    out.push_str("</tbody></table>");
}

/// The whole page for `document` (an OpenAPI 3.1 document as JSON).
pub fn render(document: &Value) -> String {
    let mut out = String::new();
    let title = escape(document["info"]["title"].as_str().unwrap_or("API"));
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} reference</title><link rel=\"stylesheet\" href=\"/api/v1/reference.css\"></head><body><main>\
         <h1>{title}, version {}</h1><p>{}</p><p class=\"muted\">Base address: <code>/api/v1</code>. The machine-readable \
         document: <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a> (OpenAPI {}).</p>",
        escape(document["info"]["version"].as_str().unwrap_or_default()),
        prose(document["info"]["description"].as_str().unwrap_or_default()),
        escape(document["openapi"].as_str().unwrap_or_default()),
    );
    let empty = serde_json::Map::new();
    let paths = document["paths"].as_object().unwrap_or(&empty);
    let mut operations = Vec::new();
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap_or(&empty) {
            operations.push((path.as_str(), method.as_str(), operation));
        }
    }
    out.push_str("<nav aria-label=\"Operations\"><h2>Operations</h2><ul>");
    for (path, method, operation) in &operations {
        let id = escape(operation["operationId"].as_str().unwrap_or_default());
        let _ = write!(
            out,
            "<li><a href=\"#{id}\"><span class=\"method\">{}</span> <code>{}</code></a></li>",
            method.to_uppercase(),
            escape(path)
        );
    }
    out.push_str("</ul></nav>");
    for (path, method, operation) in &operations {
        let id = escape(operation["operationId"].as_str().unwrap_or_default());
        let _ = write!(
            out,
            "<section aria-labelledby=\"{id}\"><h2 id=\"{id}\"><span class=\"method\">{}</span> <code>{}</code></h2><p>{}</p>",
            method.to_uppercase(),
            escape(path),
            prose(operation["description"].as_str().or(operation["summary"].as_str()).unwrap_or_default())
        );
        if let Some(parameters) = operation["parameters"].as_array() {
            out.push_str("<h3>Parameters</h3><table><thead><tr><th>Name</th><th>In</th><th>Type</th><th>Required</th><th>Description</th></tr></thead><tbody>");
            for p in parameters {
                let _ = write!(
                    out,
                    "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(p["name"].as_str().unwrap_or_default()),
                    escape(p["in"].as_str().unwrap_or_default()),
                    type_of(&p["schema"]),
                    if p["required"].as_bool() == Some(true) { "yes" } else { "" },
                    description(p)
                );
            }
            out.push_str("</tbody></table>");
        }
        if let Some(body) = operation["requestBody"]["content"]["application/json"]["schema"].as_object() {
            let _ = write!(out, "<h3>Request body</h3><p>{}</p>", type_of(&Value::Object(body.clone())));
        }
        out.push_str(
            "<h3>Responses</h3><table><thead><tr><th>Status</th><th>Body</th><th>When</th></tr></thead><tbody>",
        );
        for (status, response) in operation["responses"].as_object().unwrap_or(&empty) {
            let content = response["content"].as_object().and_then(|c| c.values().next());
            let body = content.map(|c| type_of(&c["schema"])).unwrap_or_default();
            let _ =
                write!(out, "<tr><td>{}</td><td>{body}</td><td>{}</td></tr>", escape(status), description(response));
        }
        out.push_str("</tbody></table></section>");
    }
    out.push_str("<h2>Types</h2>");
    for (name, schema) in document["components"]["schemas"].as_object().unwrap_or(&empty) {
        let name = escape(name);
        let _ = write!(
            out,
            "<section aria-labelledby=\"schema-{name}\"><h3 id=\"schema-{name}\">{name}</h3><p>{}</p>",
            description(schema)
        );
        if schema["properties"].is_object() {
            properties_table(&mut out, schema);
        } else {
            let _ = write!(out, "<p>{}</p>", type_of(schema));
        }
        out.push_str("</section>");
    }
    out.push_str("</main></body></html>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_and_type_of_the_document_is_on_the_page_escaped() {
        let document: Value = serde_json::from_str(&super::super::openapi().to_json().unwrap()).unwrap();
        let page = render(&document);
        for (path, item) in document["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let id = operation["operationId"].as_str().unwrap();
                assert!(page.contains(&format!("id=\"{id}\"")), "{method} {path}");
            }
        }
        for name in document["components"]["schemas"].as_object().unwrap().keys() {
            assert!(page.contains(&format!("id=\"schema-{name}\"")), "{name}");
        }
        assert!(!page.contains("<script"), "no script on the page");
        let hostile = serde_json::json!({ "info": { "title": "<script>x</script>" }, "paths": {} });
        assert!(render(&hostile).contains("&lt;script&gt;"));
    }
}
