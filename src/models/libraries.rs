//! What libraries' model mixins add to a table, for the libraries real projects' models
//! inherit from. Each entry is a stub module in Python: the mixins' columns as the library
//! declares them (name, type, nullability), nothing else. A mixin of a library not listed
//! here makes the models inheriting it unknown.

use crate::source::SourceFile;

/// The folder the stubs are indexed under: last on `sys.path`, after the project.
pub const ROOT: &str = "<libraries>";

/// (dotted module, stub source).
const STUBS: &[(&str, &str)] = &[(
    // oslo.db (OpenStack): `oslo_db/sqlalchemy/models.py`. `ModelBase` adds methods only;
    // `deleted` is a `SoftDeleteInteger`, a TypeDecorator over Integer.
    "oslo_db.sqlalchemy.models",
    "from sqlalchemy import Column, DateTime, Integer\n\
     class ModelBase:\n    pass\n\
     class ModelIterator:\n    pass\n\
     class TimestampMixin:\n    created_at = Column(DateTime)\n    updated_at = Column(DateTime)\n\
     class SoftDeleteMixin:\n    deleted_at = Column(DateTime)\n    deleted = Column(Integer)\n",
)];

/// The stubs as source files under [`ROOT`].
pub fn stub_files() -> Vec<SourceFile> {
    STUBS
        .iter()
        .map(|(module, text)| SourceFile::new(format!("{ROOT}/{}.py", module.replace('.', "/")), *text))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stubs_are_python_that_parses() {
        for f in stub_files() {
            let parsed = ruff_python_parser::parse_module(&f.text);
            assert!(parsed.is_ok(), "{}: {:?}", f.path, parsed.err());
        }
    }
}
