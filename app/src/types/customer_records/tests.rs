use super::*;

fn config() -> FieldConfig {
    FieldConfig {
        modes: [(BuiltinField::City, FieldMode::Required), (BuiltinField::Suite, FieldMode::Hidden)].into(),
        custom_fields: vec![
            CustomField {
                id: 1,
                key: "seats".into(),
                label: "Seats".into(),
                kind: CustomFieldKind::Number,
                required: true,
                help_text: String::new(),
                options: vec![],
            },
            CustomField {
                id: 2,
                key: "renewal".into(),
                label: "Renewal".into(),
                kind: CustomFieldKind::Date,
                required: false,
                help_text: String::new(),
                options: vec![],
            },
            CustomField {
                id: 3,
                key: "vip".into(),
                label: "VIP".into(),
                kind: CustomFieldKind::YesNo,
                required: false,
                help_text: String::new(),
                options: vec![],
            },
            CustomField {
                id: 4,
                key: "tier".into(),
                label: "Tier".into(),
                kind: CustomFieldKind::Choice,
                required: false,
                help_text: String::new(),
                options: vec!["Gold".into(), "Silver".into()],
            },
            CustomField {
                id: 5,
                key: "notes".into(),
                label: "Notes".into(),
                kind: CustomFieldKind::Text,
                required: false,
                help_text: String::new(),
                options: vec![],
            },
        ],
        workflows: vec!["Onboarding".into(), "Live".into()],
    }
}

fn valid() -> CustomerInput {
    CustomerInput {
        name: "Alpha Bakery".into(),
        city: "Berlin".into(),
        country: "DE".into(),
        custom: [("seats".to_string(), "12".to_string())].into(),
        ..Default::default()
    }
}

/// The number-plan check runs only on the server (see `check_phone`).
const PHONE_PLAN_CHECKED: bool = cfg!(feature = "ssr");

/// (what changes, the field that must then be in error, or None for "still valid").
#[test]
fn good_and_bad_inputs() {
    type Edit = fn(&mut CustomerInput);
    let cases: Vec<(&str, Edit, Option<&str>)> = vec![
        ("valid as is", |_| {}, None),
        ("empty name", |i| i.name.clear(), Some("name")),
        ("name of 201 characters", |i| i.name = "x".repeat(201), Some("name")),
        ("name of 200 characters", |i| i.name = "x".repeat(200), None),
        ("name with a control character", |i| i.name = "A\u{7}B".into(), Some("name")),
        ("required city missing", |i| i.city.clear(), Some("city")),
        ("hidden suite too long is not checked", |i| i.suite = "x".repeat(500), None),
        ("street too long", |i| i.street = "x".repeat(201), Some("street")),
        ("unknown country", |i| i.country = "XX".into(), Some("country")),
        ("lower-case country, upper-cased", |i| i.country = "de".into(), None),
        ("good email", |i| i.contact_email = "anna.schmidt@example.de".into(), None),
        ("email without @", |i| i.contact_email = "anna.example.de".into(), Some("contact_email")),
        ("email without a dotted domain", |i| i.contact_email = "anna@localhost".into(), Some("contact_email")),
        ("email with two @", |i| i.contact_email = "a@b@example.com".into(), Some("contact_email")),
        ("national phone for the country", |i| i.phone_primary = "030 1234567".into(), None),
        ("international phone", |i| i.phone_secondary = "+44 20 7946 0958".into(), None),
        ("letters as a phone", |i| i.phone_primary = "call me".into(), Some("phone_primary")),
        ("too short a phone", |i| i.phone_primary = "+49 12".into(), Some("phone_primary")),
        (
            "national phone without a country",
            |i| {
                i.country.clear();
                i.phone_primary = "030 1234567".into()
            },
            Some("phone_primary"),
        ),
        (
            "a phone with a good shape but no such number plan",
            |i| i.phone_primary = "+44 1 2345".into(),
            PHONE_PLAN_CHECKED.then_some("phone_primary"),
        ),
        ("known workflow", |i| i.workflow = "Live".into(), None),
        ("unknown workflow", |i| i.workflow = "Dead".into(), Some("workflow")),
        (
            "required custom missing",
            |i| {
                i.custom.remove("seats");
            },
            Some("custom.seats"),
        ),
        (
            "number with a decimal",
            |i| {
                i.custom.insert("seats".into(), "3.5".into());
            },
            None,
        ),
        (
            "not a number",
            |i| {
                i.custom.insert("seats".into(), "twelve".into());
            },
            Some("custom.seats"),
        ),
        (
            "infinite number",
            |i| {
                i.custom.insert("seats".into(), "inf".into());
            },
            Some("custom.seats"),
        ),
        (
            "good date",
            |i| {
                i.custom.insert("renewal".into(), "2027-02-28".into());
            },
            None,
        ),
        (
            "impossible date",
            |i| {
                i.custom.insert("renewal".into(), "2027-02-30".into());
            },
            Some("custom.renewal"),
        ),
        (
            "date in another format",
            |i| {
                i.custom.insert("renewal".into(), "28.02.2027".into());
            },
            Some("custom.renewal"),
        ),
        (
            "yes",
            |i| {
                i.custom.insert("vip".into(), "yes".into());
            },
            None,
        ),
        (
            "maybe",
            |i| {
                i.custom.insert("vip".into(), "maybe".into());
            },
            Some("custom.vip"),
        ),
        (
            "an option",
            |i| {
                i.custom.insert("tier".into(), "Gold".into());
            },
            None,
        ),
        (
            "not an option",
            |i| {
                i.custom.insert("tier".into(), "Bronze".into());
            },
            Some("custom.tier"),
        ),
        (
            "long text",
            |i| {
                i.custom.insert("notes".into(), "x".repeat(501));
            },
            Some("custom.notes"),
        ),
        (
            "multi-line text",
            |i| {
                i.custom.insert("notes".into(), "line one\nline two".into());
            },
            None,
        ),
    ];
    let config = config();
    for (what, edit, expected) in cases {
        let mut input = valid();
        edit(&mut input);
        let errors = validate(&input.normalized(&config), &config);
        match expected {
            None => assert!(errors.is_empty(), "{what}: expected valid, got {errors:?}"),
            Some(field) => {
                assert!(errors.contains_key(field), "{what}: expected an error on {field}, got {errors:?}");
                assert_eq!(errors.len(), 1, "{what}: only {field} is wrong, got {errors:?}");
            }
        }
    }
}

#[test]
fn normalizing_trims_and_drops_unknown_custom_values() {
    let mut input = valid();
    input.name = "  Alpha  ".into();
    input.contact_email = " Anna@Example.DE ".into();
    input.custom.insert("unknown".into(), "x".into());
    input.custom.insert("notes".into(), "   ".into());
    let n = input.normalized(&config());
    assert_eq!(n.name, "Alpha");
    assert_eq!(n.contact_email, "anna@example.de");
    assert_eq!(n.custom.keys().collect::<Vec<_>>(), ["seats"]);
}

#[test]
fn required_network_needs_a_parent() {
    let config = FieldConfig { modes: [(BuiltinField::Network, FieldMode::Required)].into(), ..Default::default() };
    let input = CustomerInput { name: "A".into(), ..Default::default() };
    assert!(validate(&input, &config).contains_key("network"));
    let input = CustomerInput { parent_id: Some(7), ..input };
    assert!(validate(&input, &config).is_empty());
}
