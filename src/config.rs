//! Alembic's configuration, read from text: `alembic.ini` with Python `configparser`
//! semantics (sections, `key = value` / `key: value`, indented continuation lines, comments,
//! `[DEFAULT]`, `%(name)s` interpolation with `here`), and `[tool.alembic]` in
//! `pyproject.toml`. Finding and reading the files is the caller's job.

use std::collections::BTreeMap;

/// One parsed ini file: sections in order, keys lower-cased as `configparser` does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IniFile {
    pub sections: Vec<(String, BTreeMap<String, String>)>,
    pub defaults: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub message: String,
    /// 1-based line, when the problem has one.
    pub line: Option<usize>,
    pub help: Option<String>,
}

impl ConfigError {
    fn at(line: usize, message: impl Into<String>) -> Self {
        ConfigError {
            message: message.into(),
            line: Some(line),
            help: None,
        }
    }
    fn new(message: impl Into<String>) -> Self {
        ConfigError {
            message: message.into(),
            line: None,
            help: None,
        }
    }
}

pub fn parse_ini(text: &str) -> Result<IniFile, ConfigError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut ini = IniFile::default();
    let mut current: Option<usize> = None; // index into sections; None = before any / DEFAULT
    let mut in_default = false;
    let mut last_key: Option<String> = None;
    let mut last_indent = 0usize;
    for (n, raw) in text.split('\n').enumerate() {
        let line_no = n + 1;
        let line = raw.trim_end_matches('\r');
        let stripped = line.trim();
        let indent = line.len() - line.trim_start().len();
        if stripped.starts_with('#') || stripped.starts_with(';') {
            continue;
        }
        if stripped.is_empty() {
            // A blank line ends nothing in configparser, but continuation values skip it.
            continue;
        }
        if indent > 0 && last_key.is_some() && indent > last_indent {
            let key = last_key.clone().unwrap_or_default();
            let map = if in_default {
                &mut ini.defaults
            } else {
                &mut ini.sections[current.unwrap_or(0)].1
            };
            if let Some(v) = map.get_mut(&key) {
                v.push('\n');
                v.push_str(stripped);
            }
            continue;
        }
        if stripped.starts_with('[') {
            let Some(end) = stripped.find(']') else {
                return Err(ConfigError::at(line_no, format!("malformed section header: {stripped}")));
            };
            let name = stripped[1..end].to_string();
            last_key = None;
            if name == "DEFAULT" {
                in_default = true;
            } else {
                in_default = false;
                match ini.sections.iter().position(|(s, _)| *s == name) {
                    Some(_) => return Err(ConfigError::at(line_no, format!("section '{name}' already exists"))),
                    None => {
                        ini.sections.push((name, BTreeMap::new()));
                        current = Some(ini.sections.len() - 1);
                    }
                }
            }
            continue;
        }
        if current.is_none() && !in_default {
            return Err(ConfigError::at(line_no, "File contains no section headers."));
        }
        let sep = line.find(['=', ':']);
        let Some(sep) = sep else {
            return Err(ConfigError::at(
                line_no,
                format!("line is neither a section, a key nor a comment: {stripped}"),
            ));
        };
        let key = line[..sep].trim().to_lowercase();
        let value = line[sep + 1..].trim().to_string();
        let map = if in_default {
            &mut ini.defaults
        } else {
            &mut ini.sections[current.unwrap_or(0)].1
        };
        map.insert(key.clone(), value);
        last_key = Some(key);
        last_indent = indent;
    }
    Ok(ini)
}

impl IniFile {
    pub fn has_section(&self, name: &str) -> bool {
        self.sections.iter().any(|(s, _)| s == name)
    }

    /// A value with `%(name)s` interpolation (`BasicInterpolation`), `vars` supplying `here`.
    pub fn get(&self, section: &str, key: &str, vars: &BTreeMap<String, String>) -> Result<Option<String>, ConfigError> {
        let Some((_, map)) = self.sections.iter().find(|(s, _)| s == section) else {
            return Ok(None);
        };
        let lookup = |k: &str| {
            map.get(k)
                .or_else(|| self.defaults.get(k))
                .cloned()
                .or_else(|| vars.get(k).cloned())
        };
        match lookup(&key.to_lowercase()) {
            None => Ok(None),
            Some(raw) => interpolate(&raw, &lookup, 0).map(Some),
        }
    }
}

fn interpolate(raw: &str, lookup: &dyn Fn(&str) -> Option<String>, depth: usize) -> Result<String, ConfigError> {
    if depth > 10 {
        return Err(ConfigError::new(format!("interpolation too deep in value: {raw}")));
    }
    let mut out = String::new();
    let mut rest = raw;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('%') {
            out.push('%');
            rest = r;
        } else if let Some(r) = after.strip_prefix('(') {
            let Some(close) = r.find(")s") else {
                return Err(ConfigError::new(format!("bad interpolation syntax in value: {raw}")));
            };
            let name = r[..close].to_lowercase();
            let Some(v) = lookup(&name) else {
                return Err(ConfigError::new(format!("no option '{name}' for interpolation in value: {raw}")));
            };
            out.push_str(&interpolate(&v, lookup, depth + 1)?);
            rest = &r[close + 2..];
        } else {
            return Err(ConfigError::new(format!("'%' must be followed by '%' or '(' in value: {raw}")));
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The settings migplan needs from Alembic's configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AlembicSettings {
    pub script_location: String,
    /// `version_locations`, split as Alembic splits it; `None` means `<script_location>/versions`.
    pub version_locations: Option<Vec<String>>,
    pub recursive_version_locations: bool,
    pub sqlalchemy_url: Option<String>,
    /// What `alembic revision` and `merge` read: the file name template, the slug length
    /// (as written; Alembic's `int()` of it), and the timezone of the create date.
    pub file_template: Option<String>,
    pub truncate_slug_length: Option<String>,
    pub timezone: Option<String>,
    /// `revision_environment`: env.py runs (and may rewrite) when a revision is generated.
    pub revision_environment: bool,
    /// The names of the post-write hooks (formatters Alembic runs on a new script).
    pub post_write_hooks: Vec<String>,
    /// Those options that could not be read: only the commands writing scripts fail on them
    /// (as Alembic only reads them there).
    pub script_option_errors: Vec<String>,
}

fn as_bool(v: &str) -> bool {
    matches!(v.trim().to_lowercase().as_str(), "true" | "yes" | "on" | "y" | "t" | "1")
}

/// Read `[section]` of an alembic.ini (`here` = the directory of the ini file).
pub fn alembic_settings_from_ini(ini: &IniFile, section: &str, here: &str, os_pathsep: char) -> Result<AlembicSettings, ConfigError> {
    if !ini.has_section(section) {
        let names: Vec<&str> = ini.sections.iter().map(|(s, _)| s.as_str()).collect();
        let mut e = ConfigError::new("No 'script_location' key found in configuration.");
        e.help = Some(format!(
            "there is no [{section}] section (sections: {}); choose one with -n/--name",
            if names.is_empty() { "none".to_string() } else { names.join(", ") }
        ));
        return Err(e);
    }
    let vars: BTreeMap<String, String> = [("here".to_string(), here.to_string())].into();
    let get = |k: &str| ini.get(section, k, &vars);
    let Some(script_location) = get("script_location")? else {
        return Err(ConfigError::new("No 'script_location' key found in configuration."));
    };
    let version_locations = match get("version_locations")? {
        Some(v) if !v.is_empty() => {
            let sep = match get("path_separator")?.or(get("version_path_separator")?) {
                None => None,
                Some(s) => Some(match s.as_str() {
                    "space" => ' ',
                    "newline" => '\n',
                    "os" => os_pathsep,
                    ":" => ':',
                    ";" => ';',
                    other => {
                        return Err(ConfigError::new(format!(
                            "'{other}' is not a valid value for path_separator; expected 'space', 'newline', 'os', ':', ';'"
                        )));
                    }
                }),
            };
            Some(match sep {
                // Legacy splitting on commas and spaces (`, *|(?: +)`).
                None => v
                    .split([',', ' '])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                Some(c) => v.split(c).filter(|s| !s.is_empty()).map(|s| s.trim().to_string()).collect(),
            })
        }
        _ => None,
    };
    let mut script_option_errors = Vec::new();
    let mut lenient = |section: &str, key: &str| match ini.get(section, key, &vars) {
        Ok(v) => v,
        Err(e) => {
            script_option_errors.push(format!("{key}: {}", e.message));
            None
        }
    };
    let file_template = lenient(section, "file_template");
    let truncate_slug_length = lenient(section, "truncate_slug_length");
    let timezone = lenient(section, "timezone");
    let revision_environment = lenient(section, "revision_environment").is_some_and(|v| as_bool(&v));
    let hooks = lenient("post_write_hooks", "hooks").unwrap_or_default();
    Ok(AlembicSettings {
        script_location,
        version_locations,
        recursive_version_locations: get("recursive_version_locations")?.map(|v| as_bool(&v)).unwrap_or(false),
        sqlalchemy_url: get("sqlalchemy.url")?,
        file_template,
        truncate_slug_length,
        timezone,
        revision_environment,
        // Alembic splits the list on `, *| +`.
        post_write_hooks: hooks.split([',', ' ']).filter(|h| !h.is_empty()).map(str::to_string).collect(),
        script_option_errors,
    })
}

/// A `package:path` location (Alembic: any non-absolute location with a colon names a
/// package resource, `importlib.resources.files(package) / path…`) as folders: the package's
/// (`a.b` → `a/b`) and the path inside it (`x:y` → `x/y`). `None` for a plain path.
pub fn package_resource(location: &str) -> Option<(String, String)> {
    let absolute = location.starts_with(['/', '\\'])
        || location
            .as_bytes()
            .get(1..3)
            .is_some_and(|d| d[0] == b':' && (d[1] == b'/' || d[1] == b'\\'));
    if absolute {
        return None;
    }
    let mut tokens = location.split(':');
    let package = tokens.next()?;
    let inside: Vec<&str> = tokens.collect();
    if inside.is_empty() {
        return None;
    }
    Some((package.replace('.', "/"), inside.join("/")))
}

/// [`alembic_settings_from_ini`] for an ini kept inside its script folder, as Flask-Migrate
/// keeps it: with no `script_location`, the folder itself is the script location (Flask-Migrate
/// calls `set_main_option('script_location', directory)`, adding the section if need be).
/// The caller knows whether the ini's folder is a script folder (holds env.py or versions/).
pub fn alembic_settings_in_script_folder(
    ini: &IniFile,
    section: &str,
    here: &str,
    os_pathsep: char,
) -> Result<AlembicSettings, ConfigError> {
    let vars: BTreeMap<String, String> = [("here".to_string(), here.to_string())].into();
    if !matches!(ini.get(section, "script_location", &vars), Ok(None)) {
        return alembic_settings_from_ini(ini, section, here, os_pathsep);
    }
    let mut ini = ini.clone();
    // The value is interpolated like any other, so a `%` in the path is escaped.
    let location = ("script_location".to_string(), here.replace('%', "%%"));
    match ini.sections.iter_mut().find(|(s, _)| s == section) {
        Some((_, map)) => {
            map.insert(location.0, location.1);
        }
        None => ini.sections.push((section.to_string(), [location].into())),
    }
    alembic_settings_from_ini(&ini, section, here, os_pathsep)
}

/// Read `[tool.alembic]` from a pyproject.toml (`here` = its directory). `Ok(None)` when the
/// table is absent.
pub fn alembic_settings_from_pyproject(text: &str, here: &str) -> Result<Option<AlembicSettings>, ConfigError> {
    let value: toml::Table = text.parse().map_err(|e: toml::de::Error| ConfigError {
        message: format!("pyproject.toml is not valid TOML: {}", e.message()),
        line: e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
        help: None,
    })?;
    let Some(tool) = value.get("tool").and_then(|t| t.get("alembic")).and_then(|t| t.as_table()) else {
        return Ok(None);
    };
    let subst = |s: &str| s.replace("%(here)s", here);
    let Some(script_location) = tool.get("script_location").and_then(|v| v.as_str()) else {
        return Err(ConfigError::new(
            "No 'script_location' key found in [tool.alembic] of pyproject.toml.",
        ));
    };
    let version_locations = match tool.get("version_locations") {
        None => None,
        Some(toml::Value::Array(items)) => Some(items.iter().filter_map(|i| i.as_str()).map(subst).collect()),
        Some(toml::Value::String(s)) => Some(s.split([',', ' ']).filter(|x| !x.is_empty()).map(subst).collect()),
        Some(_) => return Err(ConfigError::new("version_locations in [tool.alembic] must be a list of strings")),
    };
    // Alembic formats TOML strings with `%`: `%%` is a percent sign there too.
    let vars: BTreeMap<String, String> = [("here".to_string(), here.to_string())].into();
    let lookup = |k: &str| vars.get(k).cloned();
    let mut script_option_errors = Vec::new();
    let mut text_option = |key: &str| -> Option<String> {
        let read = match tool.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => interpolate(s, &lookup, 0).map(Some),
            Some(toml::Value::Integer(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(ConfigError::new("must be a string")),
        };
        read.unwrap_or_else(|e| {
            script_option_errors.push(format!("{key} in [tool.alembic]: {}", e.message));
            None
        })
    };
    let file_template = text_option("file_template");
    let truncate_slug_length = text_option("truncate_slug_length");
    let timezone = text_option("timezone");
    let hooks = match tool.get("post_write_hooks") {
        Some(toml::Value::Array(items)) => items
            .iter()
            .filter_map(|h| h.get("name").and_then(|n| n.as_str()).map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    Ok(Some(AlembicSettings {
        script_location: subst(script_location),
        version_locations,
        recursive_version_locations: tool.get("recursive_version_locations").and_then(|v| v.as_bool()).unwrap_or(false),
        sqlalchemy_url: None,
        file_template,
        truncate_slug_length,
        timezone,
        revision_environment: match tool.get("revision_environment") {
            Some(toml::Value::Boolean(b)) => *b,
            Some(toml::Value::String(s)) => as_bool(s),
            _ => false,
        },
        post_write_hooks: hooks,
        script_option_errors,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_interpolation_and_continuations() {
        let text = "# comment\n[alembic]\nscript_location = %(here)s/migrations\nversion_locations = %(here)s/a:%(here)s/b\npath_separator = os\nrecursive_version_locations = true\nfile_template = %%(rev)s_%%(slug)s\nsqlalchemy.url = postgresql://u:p@h/db\nlong = first\n    second\n";
        let ini = parse_ini(text).unwrap();
        let s = alembic_settings_from_ini(&ini, "alembic", "/proj", ':').unwrap();
        assert_eq!(s.script_location, "/proj/migrations");
        assert_eq!(s.version_locations, Some(vec!["/proj/a".to_string(), "/proj/b".to_string()]));
        assert!(s.recursive_version_locations);
        assert_eq!(s.sqlalchemy_url.as_deref(), Some("postgresql://u:p@h/db"));
        let vars = BTreeMap::new();
        assert_eq!(
            ini.get("alembic", "file_template", &vars).unwrap().as_deref(),
            Some("%(rev)s_%(slug)s")
        );
        assert_eq!(ini.get("alembic", "long", &vars).unwrap().as_deref(), Some("first\nsecond"));
        assert_eq!(s.file_template.as_deref(), Some("%(rev)s_%(slug)s"));
    }

    #[test]
    fn script_options_are_read_leniently() {
        let text = "[alembic]\nscript_location = x\nfile_template = %(rev)s\ntruncate_slug_length = 20\nrevision_environment = true\n[post_write_hooks]\nhooks = black, ruff\n";
        let s = alembic_settings_from_ini(&parse_ini(text).unwrap(), "alembic", "/p", ':').unwrap();
        assert_eq!(s.file_template, None);
        assert_eq!(s.script_option_errors.len(), 1, "{:?}", s.script_option_errors);
        assert_eq!(s.truncate_slug_length.as_deref(), Some("20"));
        assert!(s.revision_environment);
        assert_eq!(s.post_write_hooks, vec!["black", "ruff"]);
        let toml = "[tool.alembic]\nscript_location = \"m\"\nfile_template = \"%%(year)d_%%(rev)s\"\n[[tool.alembic.post_write_hooks]]\nname = \"ruff\"\n";
        let s = alembic_settings_from_pyproject(toml, "/p").unwrap().unwrap();
        assert_eq!(s.file_template.as_deref(), Some("%(year)d_%(rev)s"));
        assert_eq!(s.post_write_hooks, vec!["ruff"]);
    }

    #[test]
    fn missing_section_and_key() {
        let ini = parse_ini("[other]\nx = 1\n").unwrap();
        let e = alembic_settings_from_ini(&ini, "alembic", ".", ':').unwrap_err();
        assert_eq!(e.message, "No 'script_location' key found in configuration.");
        assert!(e.help.unwrap().contains("sections: other"));
        let ini = parse_ini("[alembic]\nsqlalchemy.url = x\n").unwrap();
        assert!(
            alembic_settings_from_ini(&ini, "alembic", ".", ':')
                .unwrap_err()
                .message
                .contains("script_location")
        );
        assert_eq!(parse_ini("x = 1\n").unwrap_err().line, Some(1));
    }

    #[test]
    fn package_resources() {
        assert_eq!(
            package_resource("dagster:_core/storage/alembic"),
            Some(("dagster".into(), "_core/storage/alembic".into()))
        );
        assert_eq!(
            package_resource("app.db:migrations:versions"),
            Some(("app/db".into(), "migrations/versions".into()))
        );
        assert_eq!(package_resource("migrations"), None);
        assert_eq!(package_resource("/srv/app:x"), None);
        assert_eq!(package_resource("C:/app/migrations"), None);
    }

    #[test]
    fn an_ini_inside_its_script_folder_points_at_that_folder() {
        let ini = parse_ini("[alembic]\n\n[loggers]\nkeys = root\n").unwrap();
        let s = alembic_settings_in_script_folder(&ini, "alembic", "/app/migrations", ':').unwrap();
        assert_eq!(s.script_location, "/app/migrations");
        assert_eq!(s.version_locations, None);
        // No [alembic] section at all: Flask-Migrate adds it.
        let ini = parse_ini("[loggers]\nkeys = root\n").unwrap();
        let s = alembic_settings_in_script_folder(&ini, "alembic", "/a%b", ':').unwrap();
        assert_eq!(s.script_location, "/a%b");
        // A script_location that is there wins.
        let ini = parse_ini("[alembic]\nscript_location = %(here)s/other\n").unwrap();
        let s = alembic_settings_in_script_folder(&ini, "alembic", "/app", ':').unwrap();
        assert_eq!(s.script_location, "/app/other");
    }

    #[test]
    fn legacy_version_location_splitting() {
        let ini = parse_ini("[alembic]\nscript_location = m\nversion_locations = a, b c\n").unwrap();
        let s = alembic_settings_from_ini(&ini, "alembic", ".", ':').unwrap();
        assert_eq!(s.version_locations, Some(vec!["a".into(), "b".into(), "c".into()]));
    }

    #[test]
    fn pyproject_table() {
        let text = "[tool.alembic]\nscript_location = \"%(here)s/migrations\"\nversion_locations = [\"%(here)s/v1\"]\n";
        let s = alembic_settings_from_pyproject(text, "/p").unwrap().unwrap();
        assert_eq!(s.script_location, "/p/migrations");
        assert_eq!(s.version_locations, Some(vec!["/p/v1".to_string()]));
        assert_eq!(alembic_settings_from_pyproject("[project]\nname='x'\n", "/p").unwrap(), None);
    }
}
