//! "Export" on the customer list: a plain download link to `/customers/export.csv` with the
//! view's own query (or the ticked customers), saying how many customers the file will hold.

use super::bulk::Picked;
use crate::types::customers::query::CustomerQuery;
use crate::types::customers::CustomerCount;
use leptos::prelude::*;

/// The download address for `query` (every page of it), or for the ticked `ids`.
pub(super) fn export_href(query: &CustomerQuery, ids: Option<&[i64]>, bom: bool) -> String {
    let mut qs = form_urlencoded::Serializer::new(String::new());
    match ids {
        Some(ids) => {
            let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            qs.append_pair("ids", &list);
        }
        None => {
            for (key, value) in form_urlencoded::parse(query.filters_only().to_query_string().as_bytes()) {
                qs.append_pair(&key, &value);
            }
        }
    }
    if bom {
        qs.append_pair("bom", "1");
    }
    format!("/customers/export.csv?{}", qs.finish())
}

/// "Export 1,234 customers" (the view) or "Export 3 selected", with the spreadsheet option, and
/// "Export customer users".
#[component]
pub(super) fn ExportControl(
    query: Memo<CustomerQuery>,
    count: Signal<Option<CustomerCount>>,
    picked: Picked,
) -> impl IntoView {
    let bom = RwSignal::new(false);
    let ticked = move || {
        (!picked.all_matching.get())
            .then(|| picked.ids.with(|ids| ids.iter().copied().collect::<Vec<_>>()))
            .filter(|ids| !ids.is_empty())
    };
    let href = move || export_href(&query.get(), ticked().as_deref(), bom.get());
    let label = move || match (ticked(), count.get()) {
        (Some(ids), _) => format!("Export {} selected", ids.len()),
        (None, Some(count)) => format!("Export {count}"),
        (None, None) => "Export customers".to_string(),
    };
    view! {
        <div class="export-control">
            <a class="button" href=href download="" rel="nofollow">
                {label}
            </a>
            <a
                class="button"
                href="/customers/users-export.csv"
                download=""
                rel="nofollow"
                title="Every person with access to one of your customer accounts, one row per account"
            >
                "Export customer users"
            </a>
            <label
                class="checkbox-inline"
                title="Adds a byte-order mark so spreadsheet programs read accents correctly"
            >
                <input
                    type="checkbox"
                    prop:checked=move || bom.get()
                    on:change=move |ev| bom.set(event_target_checked(&ev))
                />
                "For Excel"
            </label>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_carries_the_views_filters_or_the_selection() {
        let q = CustomerQuery::from_query_string("q=ann&status=active&sort=city&size=50");
        assert_eq!(export_href(&q, None, false), "/customers/export.csv?q=ann&status=active");
        assert_eq!(export_href(&q, Some(&[3, 1]), true), "/customers/export.csv?ids=3%2C1&bom=1");
    }
}
