//! Rules every form shares: how field errors are reported, what an email address and a date
//! look like.

use std::collections::BTreeMap;

/// Field key → what is wrong with it, in the user's words. Custom fields use `custom.<key>`.
pub type FieldErrors = BTreeMap<String, String>;

/// RFC 5322 syntax (the `email_address` crate), and a domain with a dot: an address people
/// can actually write to.
pub fn check_email(value: &str) -> Option<String> {
    let valid = email_address::EmailAddress::parse_with_options(
        value,
        email_address::Options::default().without_display_text(),
    )
    .ok()
    .is_some_and(|a| a.domain().contains('.') && !a.domain().starts_with('['));
    (!valid).then(|| "Enter an email address like name@example.com.".into())
}

/// A real calendar date in `YYYY-MM-DD` form.
pub fn parse_date(value: &str) -> Option<time::Date> {
    time::Date::parse(value, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// What is wrong with a person's name as typed, if anything.
pub fn person_name_problem(name: &str) -> Option<String> {
    use crate::types::customer_users::MAX_NAME_CHARS;
    let name = name.trim();
    if name.is_empty() {
        Some("Enter the person's full name.".into())
    } else if name.chars().count() > MAX_NAME_CHARS {
        Some(format!("Use at most {MAX_NAME_CHARS} characters."))
    } else if name.chars().any(char::is_control) {
        Some("Remove the control characters.".into())
    } else {
        None
    }
}
