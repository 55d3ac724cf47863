//! The layer rule of `docs/ARCHITECTURE.md`, checked on the source: every `use crate::…`,
//! `use super::…` and inline `crate::…`/`super::…` path of `app/src` is an edge from its module
//! to the module the path names (through re-exports, to where the item is defined). The graph
//! must have no cycle, and edges may only point down the layers:
//!
//! ```text
//!  lib.rs (the router, App)
//!  frame        the app frame: shell, header, sidebar
//!  pages        one module per page or area, its dialogs beside it
//!  context      app-wide contexts: Auth, ThemeChoice, CustomerActions
//!  api          server functions
//!  backend      the domain layer (ssr only); its foundation (state, db, sql, request, tokens,
//!               password, health, backup) imports nothing of the domains
//!  components   the generic UI kit: no server function, no session, no page
//!  error        AppError
//!  types, format, countries   shared by server and browser
//! ```
//!
//! A child module may use its parent (that is what `super::` is for); everything else counts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

/// The layer of a module, by its first segment (higher may use lower).
fn layer(module: &[String]) -> usize {
    match module.first().map(String::as_str) {
        Some("types" | "format" | "countries") => 0,
        Some("error") => 1,
        Some("components") => 2,
        Some("backend") => 3,
        Some("api") => 4,
        Some("context") => 5,
        Some("pages") => 6,
        Some("frame") => 7,
        _ => 8,
    }
}

/// The backend modules everything else in the backend stands on.
const FOUNDATION: [&str; 8] = ["state", "db", "sql", "request", "tokens", "password", "health", "backup"];

/// Imports allowed to point up the layers, each with its reason. At most two; today none.
const ALLOWED_UPWARD: [(&str, &str); 0] = [];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn modules() -> BTreeMap<Module, PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&src(), &mut files);
    files
        .into_iter()
        .map(|file| {
            let rel = file.strip_prefix(src()).unwrap().with_extension("");
            let mut module: Module = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            if module.last().is_some_and(|m| m == "mod" || m == "lib") {
                module.pop();
            }
            (module, file)
        })
        .collect()
}

/// The source with comments removed and string and character literals emptied, so that only
/// code remains (`"http://…"` is not a comment, `"crate::x"` not an import).
fn code_of(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && !chars.get(i.wrapping_sub(1)).is_some_and(|p| p.is_alphanumeric() || *p == '_')
        {
            // A raw string: r"…", r#"…"#, …
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            'raw: while j < chars.len() {
                if chars[j] == '"' && (0..hashes).all(|k| chars.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break 'raw;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{…}'), or a lifetime, which stays.
            if next == Some('\\') {
                let mut j = i + 2;
                while j < chars.len() && chars[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
                out.push_str("' '");
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push_str("' '");
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// The paths of a use tree: `a::{b, c::{d, e as f}}` → a::b, a::c::d, a::c::e.
fn expand(tree: &str) -> Vec<Vec<String>> {
    // `x as y` keeps `x`: mark the rename before the spaces go.
    let tree: String = tree.replace(" as ", "@").chars().filter(|c| !c.is_whitespace()).collect();
    fn go(prefix: Vec<String>, tree: &str, out: &mut Vec<Vec<String>>) {
        if let Some(inner) = tree.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
            let mut depth = 0;
            let mut start = 0;
            for (i, ch) in inner.char_indices() {
                match ch {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        go(prefix.clone(), &inner[start..i], out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            go(prefix, &inner[start..], out);
            return;
        }
        if tree.is_empty() {
            return;
        }
        match tree.split_once("::") {
            Some((head, rest)) => {
                let mut prefix = prefix;
                prefix.push(head.to_string());
                go(prefix, rest, out);
            }
            None => {
                let name = tree.split('@').next().unwrap_or(tree);
                let mut path = prefix;
                if name != "self" && name != "*" {
                    path.push(name.to_string());
                }
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    go(Vec::new(), &tree, &mut out);
    out
}

/// A path as written in `module` (starting with crate, super or self) made absolute.
fn absolute(module: &Module, path: &[String]) -> Option<Module> {
    let mut segments = path.iter();
    let mut base: Module = match segments.next()?.as_str() {
        "crate" => Vec::new(),
        "self" => module.clone(),
        "super" => module[..module.len().saturating_sub(1)].to_vec(),
        _ => return None,
    };
    let mut rest: Vec<String> = segments.cloned().collect();
    while rest.first().is_some_and(|s| s == "super") {
        rest.remove(0);
        base.pop();
    }
    base.extend(rest);
    Some(base)
}

struct Source {
    module: Module,
    file: PathBuf,
    code: String,
}

/// Every `use` statement's paths in `code`, with whether it is a `pub use` (a re-export).
fn use_statements(code: &str) -> Vec<(bool, Vec<Vec<String>>)> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while let Some(at) = code[i..].find("use ") {
        let start = i + at;
        i = start + 4;
        let before = code[..start].trim_end();
        let boundary = start == 0 || !(bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
        if !boundary {
            continue;
        }
        let tail = &before[before.len().saturating_sub(40)..];
        let public = tail.ends_with("pub") || (tail.ends_with(')') && tail.contains("pub("));
        let Some(end) = code[i..].find(';') else { break };
        out.push((public, expand(&code[i..i + end])));
        i += end;
    }
    out
}

/// Inline `crate::a::b` and `super::a::b` paths in code (outside `use` statements too).
fn inline_paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    for keyword in ["crate::", "super::"] {
        let mut i = 0;
        while let Some(at) = code[i..].find(keyword) {
            let start = i + at;
            i = start + keyword.len();
            if start > 0
                && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_' || bytes[start - 1] == b':')
            {
                continue;
            }
            let path: String =
                code[start..].chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
            out.push(path.split("::").filter(|s| !s.is_empty()).map(str::to_string).collect());
        }
    }
    out
}

struct Graph {
    edges: BTreeMap<Module, BTreeMap<Module, String>>,
}

fn graph() -> Graph {
    let modules = modules();
    let sources: Vec<Source> = modules
        .iter()
        .map(|(module, file)| {
            let source = std::fs::read_to_string(file).unwrap();
            Source { module: module.clone(), file: file.clone(), code: code_of(&source) }
        })
        .collect();
    // Re-exports: (module, name) → the absolute path it stands for.
    let mut reexports: BTreeMap<(Module, String), Module> = BTreeMap::new();
    for source in &sources {
        for (public, paths) in use_statements(&source.code) {
            if !public {
                continue;
            }
            for path in paths {
                let resolved = match path.first().map(String::as_str) {
                    Some("crate" | "super" | "self") => absolute(&source.module, &path),
                    // A child module's item: `pub use child::Item`.
                    Some(_) => Some(source.module.iter().cloned().chain(path.iter().cloned()).collect()),
                    None => None,
                };
                if let (Some(resolved), Some(name)) = (resolved, path.last()) {
                    reexports.insert((source.module.clone(), name.clone()), resolved);
                }
            }
        }
    }
    // The module an absolute path's item is defined in: the longest module prefix, followed
    // through that module's re-export of the next name, if it has one.
    let module_of = |path: &Module| -> Module {
        let mut path = path.clone();
        for _ in 0..8 {
            let prefix = (0..=path.len()).rev().map(|n| path[..n].to_vec()).find(|p| modules.contains_key(p)).unwrap();
            let Some(target) = path.get(prefix.len()).and_then(|item| reexports.get(&(prefix.clone(), item.clone())))
            else {
                return prefix;
            };
            let mut next = target.clone();
            next.extend(path[prefix.len() + 1..].iter().cloned());
            if next == path {
                return prefix;
            }
            path = next;
        }
        path
    };
    let mut edges: BTreeMap<Module, BTreeMap<Module, String>> = BTreeMap::new();
    for source in &sources {
        let mut paths: Vec<Vec<String>> = use_statements(&source.code)
            .into_iter()
            .flat_map(|(_, paths)| paths)
            .filter(|p| matches!(p.first().map(String::as_str), Some("crate" | "super" | "self")))
            .collect();
        paths.extend(inline_paths(&source.code));
        for path in paths {
            let Some(absolute) = absolute(&source.module, &path) else { continue };
            let target = module_of(&absolute);
            if target == source.module || source.module.starts_with(&target) {
                continue;
            }
            let rel = source.file.strip_prefix(src()).unwrap().display().to_string();
            edges
                .entry(source.module.clone())
                .or_default()
                .entry(target)
                .or_insert_with(|| format!("{rel}: {}", path.join("::")));
        }
    }
    Graph { edges }
}

fn name(module: &[String]) -> String {
    if module.is_empty() {
        "crate".into()
    } else {
        module.join("::")
    }
}

/// Groups of modules that reach each other (Tarjan's strongly connected components), larger than one.
fn cycles(graph: &Graph) -> Vec<Vec<Module>> {
    struct State<'a> {
        graph: &'a Graph,
        index: BTreeMap<Module, usize>,
        low: BTreeMap<Module, usize>,
        stack: Vec<Module>,
        on_stack: BTreeSet<Module>,
        next: usize,
        found: Vec<Vec<Module>>,
    }
    fn visit(s: &mut State, v: &Module) {
        s.index.insert(v.clone(), s.next);
        s.low.insert(v.clone(), s.next);
        s.next += 1;
        s.stack.push(v.clone());
        s.on_stack.insert(v.clone());
        let targets: Vec<Module> = s.graph.edges.get(v).map(|e| e.keys().cloned().collect()).unwrap_or_default();
        for w in targets {
            if !s.index.contains_key(&w) {
                visit(s, &w);
                let low = s.low[v].min(s.low[&w]);
                s.low.insert(v.clone(), low);
            } else if s.on_stack.contains(&w) {
                let low = s.low[v].min(s.index[&w]);
                s.low.insert(v.clone(), low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack.remove(&w);
                let done = &w == v;
                component.push(w);
                if done {
                    break;
                }
            }
            if component.len() > 1 {
                s.found.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    let nodes: Vec<Module> = graph.edges.keys().cloned().collect();
    for v in nodes {
        if !state.index.contains_key(&v) {
            visit(&mut state, &v);
        }
    }
    state.found
}

#[test]
fn the_module_graph_has_no_cycle() {
    let graph = graph();
    let found = cycles(&graph);
    let described: Vec<String> = found
        .iter()
        .map(|component| {
            let members: BTreeSet<&Module> = component.iter().collect();
            let edges: Vec<String> = component
                .iter()
                .flat_map(|from| {
                    graph.edges[from]
                        .iter()
                        .filter(|(to, _)| members.contains(to))
                        .map(move |(to, at)| format!("{} -> {} ({at})", name(from), name(to)))
                })
                .collect();
            edges.join("\n  ")
        })
        .collect();
    assert!(found.is_empty(), "import cycles:\n  {}", described.join("\n\n  "));
}

#[test]
fn imports_point_down_the_layers() {
    let graph = graph();
    let mut upward = Vec::new();
    for (from, targets) in &graph.edges {
        for (to, at) in targets {
            if layer(from) < layer(to) && !ALLOWED_UPWARD.iter().any(|(f, t)| *f == name(from) && *t == name(to)) {
                upward.push(format!("{} -> {} ({at})", name(from), name(to)));
            }
        }
    }
    assert!(ALLOWED_UPWARD.len() <= 2, "at most two documented exceptions");
    assert!(upward.is_empty(), "imports that point up the layers:\n  {}", upward.join("\n  "));
}

#[test]
fn the_backend_foundation_imports_no_domain() {
    let graph = graph();
    let mut wrong = Vec::new();
    for (from, targets) in &graph.edges {
        let is_foundation = |m: &Module| m.len() >= 2 && m[0] == "backend" && FOUNDATION.contains(&m[1].as_str());
        if !is_foundation(from) {
            continue;
        }
        for (to, at) in targets {
            if to.first().is_some_and(|s| s == "backend") && !is_foundation(to) && to.len() > 1 {
                wrong.push(format!("{} -> {} ({at})", name(from), name(to)));
            }
        }
    }
    assert!(wrong.is_empty(), "the backend's foundation reaches into its domains:\n  {}", wrong.join("\n  "));
}

/// `AppError` comes from `crate::error` (the crate root re-exports it for other crates only), a
/// form field is drawn by the kit's `Field` alone, and the backend's `mod.rs` declares modules
/// and re-exports, nothing else.
#[test]
fn one_way_to_name_things() {
    let mut wrong = Vec::new();
    for (module, file) in modules() {
        let code = code_of(&std::fs::read_to_string(&file).unwrap());
        if code.contains("crate::AppError") || code.contains("crate::{AppError") {
            wrong.push(format!("{}: AppError through the crate root; use crate::error::AppError", name(&module)));
        }
        let raw = std::fs::read_to_string(&file).unwrap();
        if raw.contains("class=\"form-field") && module != ["components", "field"] {
            wrong.push(format!("{}: a form field drawn by hand; use components::field::Field", name(&module)));
        }
        if module == ["backend"] {
            for word in ["fn ", "struct ", "enum ", "impl ", "const ", "static "] {
                if code.contains(word) {
                    wrong.push(format!("backend/mod.rs holds `{}`: give it a module of its own", word.trim()));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Cheap password hashing is for test binaries only: no application or server source calls the
/// switch (only `password.rs`, which defines it, and `server/tests` may name it).
#[test]
fn only_tests_switch_to_cheap_password_hashing() {
    let server_src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/src");
    let mut files: Vec<PathBuf> =
        modules().into_iter().filter(|(m, _)| m != &["backend", "password"]).map(|(_, f)| f).collect();
    let mut stack = vec![server_src];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 50, "the walk found the sources ({} files)", files.len());
    let callers: Vec<_> = files
        .iter()
        .filter(|f| code_of(&std::fs::read_to_string(f).unwrap()).contains("use_cheap_parameters_in_tests"))
        .collect();
    assert!(callers.is_empty(), "production code switches to cheap password hashing: {callers:?}");
}

#[test]
fn the_parser_sees_what_rust_sees() {
    assert_eq!(code_of("let a = \"http://x\"; // note\nlet b = 'c';"), "let a = \"\"; \nlet b = ' ';");
    assert_eq!(code_of("r#\"crate::x\"# + 1"), "\"\" + 1");
    assert_eq!(
        expand("crate::{a::b, c::{d, e as f}, self}"),
        [vec!["crate", "a", "b"], vec!["crate", "c", "d"], vec!["crate", "c", "e"], vec!["crate"]]
            .iter()
            .map(|p| p.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    );
    let graph = graph();
    assert!(graph.edges.len() > 100, "the graph covers the crate ({} modules with imports)", graph.edges.len());
    let api = graph.edges.get(&vec!["api".to_string(), "customers".to_string()]).expect("api::customers imports");
    assert!(
        api.contains_key(&vec!["backend".to_string(), "authz".to_string()]),
        "through backend's re-export of authorize"
    );
}

/// The checks above can fail: a cycle and an upward edge in a graph made up here are found.
#[test]
fn a_cycle_and_an_upward_import_are_found() {
    let m = |s: &str| -> Module { s.split("::").map(str::to_string).collect() };
    let mut edges: BTreeMap<Module, BTreeMap<Module, String>> = BTreeMap::new();
    edges.entry(m("backend::a")).or_default().insert(m("backend::b"), "a.rs".into());
    edges.entry(m("backend::b")).or_default().insert(m("backend::a"), "b.rs".into());
    edges.entry(m("types::x")).or_default().insert(m("pages::y"), "x.rs".into());
    let found = cycles(&Graph { edges });
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].len(), 2);
    assert!(layer(&m("types::x")) < layer(&m("pages::y")));
}
