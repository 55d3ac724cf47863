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

/// A typed text as it is checked and stored: trimmed and, on the server, in Unicode NFC, so
/// "é" typed as one character and as "e" plus an accent are the same name (the browser
/// leaves NFC to the server: its tables would only weigh down the bundle).
pub fn clean_text(value: &str) -> String {
    #[cfg(feature = "ssr")]
    {
        use unicode_normalization::UnicodeNormalization;
        value.trim().nfc().collect()
    }
    #[cfg(not(feature = "ssr"))]
    {
        value.trim().to_string()
    }
}

/// Whether `value` holds characters that do not show but change what is shown: control
/// characters, and Unicode's format characters (bidi overrides and isolates, zero-width spaces,
/// soft hyphens, tags…), with which two names can be made to look alike or a name to display
/// reversed. Zero-width (non-)joiners stay allowed after a non-ASCII character: Persian,
/// Indic scripts and emoji need them; between Latin letters they only hide.
pub fn has_hidden_characters(value: &str) -> bool {
    let mut previous = ' ';
    value.chars().any(|c| {
        let hidden = c.is_control()
            || if c == '\u{200C}' || c == '\u{200D}' { previous.is_ascii() } else { is_format_character(c) };
        previous = c;
        hidden
    })
}

/// Unicode general category Cf ("format"), Unicode 16; checked against the full table in a test.
fn is_format_character(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2 | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

/// The problem with hidden characters in a name, for its form field.
pub const HIDDEN_CHARACTERS: &str = "Remove the control or invisible formatting characters.";

/// The problems with an invitee's name and email (staff and customer-user invitations alike).
/// Email addresses are one identity per address, compared case-insensitively: every address is
/// stored and looked up trimmed and lower-cased.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The longest name a person may be given.
pub const MAX_NAME_CHARS: usize = 200;

pub fn invitee_errors(full_name: &str, email: &str) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if let Some(problem) = person_name_problem(full_name) {
        errors.insert("full_name".into(), problem);
    }
    if let Some(problem) = check_email(email.trim()) {
        errors.insert("email".into(), problem);
    }
    errors
}

/// What is wrong with a person's name as typed, if anything.
pub fn person_name_problem(name: &str) -> Option<String> {
    let name = name.trim();
    if name.is_empty() {
        Some("Enter the person's full name.".into())
    } else if name.chars().count() > MAX_NAME_CHARS {
        Some(format!("Use at most {MAX_NAME_CHARS} characters."))
    } else if has_hidden_characters(name) {
        Some(HIDDEN_CHARACTERS.into())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_characters_are_exactly_unicodes_cf() {
        use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_format_character(c), c.general_category() == GeneralCategory::Format, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn names_that_only_look_alike_are_refused() {
        for trick in
            ["Acme\u{202E}emcA", "Ac\u{200B}me", "Ac\u{200D}me", "\u{2066}Acme\u{2069}", "Acme\u{E0041}", "A\u{0}"]
        {
            assert!(has_hidden_characters(trick), "{trick:?}");
        }
        for fine in [
            "Acme",
            "Zoë & Søn",
            "\u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0647}\u{0645}",
            "👩\u{200D}💻 Labs",
            "O'Brien-Smith",
        ] {
            assert!(!has_hidden_characters(fine), "{fine:?}");
        }
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn text_is_trimmed_and_composed() {
        assert_eq!(clean_text("  Jose\u{301} "), "Jos\u{e9}");
        assert_eq!(clean_text("Jos\u{e9}"), "Jos\u{e9}");
    }
}
