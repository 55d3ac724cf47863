//! The customer list's view state: search, filters, sort and page. It lives in the URL query
//! string, so a link reproduces the view and back/forward work. The same parser runs in the
//! browser and, authoritatively, on the server; anything malformed falls back to the default.

use super::{CustomerStatus, PAGE_SIZES};
use crate::types::forms::parse_date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SortField {
    #[default]
    Name,
    Country,
    City,
    Status,
    Created,
}

impl SortField {
    pub const ALL: [SortField; 5] = [Self::Name, Self::Country, Self::City, Self::Status, Self::Created];

    pub fn key(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Country => "country",
            Self::City => "city",
            Self::Status => "status",
            Self::Created => "created",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == key)
    }
}

/// Where a page starts: just after (or, paging back, just before) a row's sort key and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub before: bool,
    pub key: String,
    pub id: i64,
}

impl Cursor {
    /// `key~id`; the id is numeric, so the last `~` separates them whatever the key holds.
    pub fn token(&self) -> String {
        format!("{}~{}", self.key, self.id)
    }

    fn parse(token: &str, before: bool) -> Option<Self> {
        let (key, id) = token.rsplit_once('~')?;
        Some(Self { before, key: key.to_string(), id: id.parse().ok()? })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerQuery {
    /// Free text over name, contact names, email, phones and city.
    pub search: String,
    pub status: Option<CustomerStatus>,
    /// ISO 3166-1 alpha-2 codes, upper case; any of them matches.
    pub countries: Vec<String>,
    pub city: Option<String>,
    /// Sub-accounts of this network (customer id).
    pub network: Option<i64>,
    pub workflow: Option<String>,
    /// Custom field filters: (field key, value), by key, at most one per field (`f.<key>=<value>`).
    pub fields: Vec<(String, String)>,
    /// Inclusive dates, `YYYY-MM-DD` (UTC).
    pub created_from: Option<String>,
    pub created_to: Option<String>,
    pub sort: SortField,
    pub descending: bool,
    pub page_size: u32,
    pub cursor: Option<Cursor>,
}

impl Default for CustomerQuery {
    fn default() -> Self {
        Self {
            search: String::new(),
            status: None,
            countries: Vec::new(),
            city: None,
            network: None,
            workflow: None,
            fields: Vec::new(),
            created_from: None,
            created_to: None,
            sort: SortField::Name,
            descending: false,
            page_size: PAGE_SIZES[0],
            cursor: None,
        }
    }
}

pub const MAX_SEARCH_CHARS: usize = 100;
const MAX_FILTER_CHARS: usize = 100;
const MAX_COUNTRIES: usize = 50;
const MAX_FIELD_FILTERS: usize = 10;

fn clean(value: &str, max: usize) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.chars().take(max).collect())
}

impl CustomerQuery {
    /// Parses a URL query string (without the `?`). Unknown keys are ignored; a malformed
    /// value is dropped, never an error.
    pub fn from_query_string(query: &str) -> Self {
        Self::from_pairs(form_urlencoded::parse(query.trim_start_matches('?').as_bytes()).into_owned())
    }

    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut q = Self::default();
        let mut after = None;
        let mut before = None;
        for (key, value) in pairs {
            match key.as_str() {
                "q" => q.search = clean(&value, MAX_SEARCH_CHARS).unwrap_or_default(),
                "status" => q.status = CustomerStatus::from_key(&value),
                "country" => {
                    q.countries = value
                        .split(',')
                        .map(|c| c.trim().to_ascii_uppercase())
                        .filter(|c| crate::countries::name(c).is_some())
                        .take(MAX_COUNTRIES)
                        .collect();
                    q.countries.sort();
                    q.countries.dedup();
                }
                "city" => q.city = clean(&value, MAX_FILTER_CHARS),
                "network" => q.network = value.parse().ok().filter(|id: &i64| *id > 0),
                "workflow" => q.workflow = clean(&value, MAX_FILTER_CHARS),
                "from" => q.created_from = parse_date(value.trim()).map(|d| d.to_string()),
                "to" => q.created_to = parse_date(value.trim()).map(|d| d.to_string()),
                "sort" => q.sort = SortField::from_key(&value).unwrap_or_default(),
                "dir" => q.descending = value == "desc",
                "size" => q.page_size = value.parse().ok().filter(|s| PAGE_SIZES.contains(s)).unwrap_or(PAGE_SIZES[0]),
                other if other.starts_with("f.") => {
                    let field = &other[2..];
                    if let (None, Some(value)) =
                        (crate::types::field_config::check_custom_key(field), clean(&value, MAX_FILTER_CHARS))
                    {
                        q.fields.retain(|(k, _)| k != field);
                        if q.fields.len() < MAX_FIELD_FILTERS {
                            q.fields.push((field.to_string(), value));
                        }
                    }
                }
                "after" => after = Cursor::parse(&value, false),
                "before" => before = Cursor::parse(&value, true),
                _ => {}
            }
        }
        q.cursor = after.or(before);
        q.fields.sort();
        q
    }

    /// The canonical query string (defaults left out), for links and the address bar.
    pub fn to_query_string(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        if !self.search.is_empty() {
            out.append_pair("q", &self.search);
        }
        if let Some(status) = self.status {
            out.append_pair("status", status.key());
        }
        if !self.countries.is_empty() {
            out.append_pair("country", &self.countries.join(","));
        }
        for (key, value) in
            [("city", &self.city), ("workflow", &self.workflow), ("from", &self.created_from), ("to", &self.created_to)]
        {
            if let Some(value) = value {
                out.append_pair(key, value);
            }
        }
        if let Some(network) = self.network {
            out.append_pair("network", &network.to_string());
        }
        for (key, value) in &self.fields {
            out.append_pair(&format!("f.{key}"), value);
        }
        if self.sort != SortField::Name {
            out.append_pair("sort", self.sort.key());
        }
        if self.descending {
            out.append_pair("dir", "desc");
        }
        if self.page_size != PAGE_SIZES[0] {
            out.append_pair("size", &self.page_size.to_string());
        }
        if let Some(cursor) = &self.cursor {
            out.append_pair(if cursor.before { "before" } else { "after" }, &cursor.token());
        }
        out.finish()
    }

    /// The same view from its first page (any change of search, filter or sort starts over).
    pub fn first_page(&self) -> Self {
        Self { cursor: None, ..self.clone() }
    }

    /// Only what decides which customers match (for counting): no sort, size or cursor.
    pub fn filters_only(&self) -> Self {
        Self { sort: SortField::Name, descending: false, page_size: PAGE_SIZES[0], cursor: None, ..self.clone() }
    }

    pub fn has_filters(&self) -> bool {
        !self.search.is_empty()
            || self.status.is_some()
            || !self.countries.is_empty()
            || self.city.is_some()
            || self.network.is_some()
            || self.workflow.is_some()
            || !self.fields.is_empty()
            || self.created_from.is_some()
            || self.created_to.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_url() {
        let q = CustomerQuery {
            search: "smi th&co".into(),
            status: Some(CustomerStatus::Disabled),
            countries: vec!["DE".into(), "FR".into()],
            city: Some("São Paulo".into()),
            network: Some(42),
            workflow: Some("onboarding".into()),
            fields: vec![("tier".into(), "Gold & more".into())],
            created_from: Some("2024-01-31".into()),
            created_to: Some("2024-12-31".into()),
            sort: SortField::Created,
            descending: true,
            page_size: 100,
            cursor: Some(Cursor { before: true, key: "a~b".into(), id: 7 }),
        };
        assert_eq!(CustomerQuery::from_query_string(&q.to_query_string()), q);
        assert_eq!(CustomerQuery::default().to_query_string(), "");
    }

    #[test]
    fn malformed_values_fall_back_to_defaults() {
        let q = CustomerQuery::from_query_string(
            "status=zombie&country=Germany,de,1X,XX&network=-3&from=2024-02-30&to=soon&sort=shoe&size=7&after=nocursor&extra=1",
        );
        assert_eq!(q.status, None);
        assert_eq!(q.countries, vec!["DE".to_string()]);
        assert_eq!(q.network, None);
        assert_eq!(q.created_from, None, "February 30th is not a date");
        assert_eq!(q.created_to, None);
        assert_eq!(q.sort, SortField::Name);
        assert_eq!(q.page_size, 25);
        assert_eq!(q.cursor, None);
    }

    #[test]
    fn custom_field_filters_are_keyed_sorted_and_checked() {
        let q = CustomerQuery::from_query_string("f.tier=Gold&f.vip=yes&f.tier=Silver&f.Bad-Key=x&f.empty=%20");
        assert_eq!(q.fields, [("tier".to_string(), "Silver".to_string()), ("vip".to_string(), "yes".to_string())]);
        assert!(q.has_filters());
        assert_eq!(CustomerQuery::from_query_string(&q.to_query_string()), q);
        assert_eq!(q.to_query_string(), "f.tier=Silver&f.vip=yes");
    }

    #[test]
    fn search_is_trimmed_and_bounded() {
        let long = "x".repeat(500);
        assert_eq!(CustomerQuery::from_query_string(&format!("q={long}")).search.len(), MAX_SEARCH_CHARS);
        assert_eq!(CustomerQuery::from_query_string("q=%20%20").search, "");
    }
}
