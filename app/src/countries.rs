//! ISO 3166-1 countries: the codes customers and filters store, and the names people read.

use isocountry::CountryCode;

/// The English short name of an alpha-2 code (upper case), if it is one.
pub fn name(alpha2: &str) -> Option<&'static str> {
    CountryCode::for_alpha2(alpha2).ok().map(|c| c.name())
}

/// Every country as (alpha-2 code, name), ordered by name, for pickers.
pub fn all_by_name() -> Vec<(&'static str, &'static str)> {
    let mut all: Vec<_> = CountryCode::iter().map(|c| (c.alpha2(), c.name())).collect();
    all.sort_by(|a, b| a.1.cmp(b.1));
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_codes_and_names() {
        assert_eq!(name("DE"), Some("Germany"));
        assert_eq!(name("XX"), None);
        assert_eq!(name("de"), None, "codes are stored upper case");
        let all = all_by_name();
        assert!(all.len() >= 249, "{}", all.len());
        assert!(all.windows(2).all(|w| w[0].1 <= w[1].1));
    }
}
