//! The one way to build SQL with values bound: text with `$n` placeholders numbered as values
//! are bound, which both databases accept (sqlx's QueryBuilder emits `?` for `Any`, which
//! PostgreSQL rejects). Every domain that composes a statement (lists of ids, filters) uses it.

/// SQL and the values bound to its `$n` placeholders.
#[derive(Default)]
pub struct Sql {
    pub text: String,
    args: Vec<Value>,
}

#[derive(Clone)]
pub enum Value {
    Int(i64),
    Text(String),
}

impl Sql {
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.text.push_str(sql);
        self
    }
    pub fn bind(&mut self, value: Value) -> &mut Self {
        self.args.push(value);
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }
    /// `(a, b, …)` with each value bound.
    pub fn bind_list(&mut self, values: impl IntoIterator<Item = Value>) -> &mut Self {
        self.push("(");
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(value);
        }
        self.push(")")
    }
    pub fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
        self.args.iter().fold(sqlx::query(&self.text), |q, v| match v {
            Value::Int(i) => q.bind(*i),
            Value::Text(s) => q.bind(s.clone()),
        })
    }
}

/// `%term%` with LIKE's own wildcards escaped (use with `ESCAPE '\\'`).
pub fn like_pattern(term: &str) -> String {
    let escaped = term.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("50%_off"), "%50\\%\\_off%");
    }
}
