//! Revision identifiers and targets, resolved exactly as Alembic's `RevisionMap` does:
//! `head`, `heads`, `base`, full and partial ids (≥ 4 characters), `label@head`, `rev@head`,
//! relative `+N` / `-N`, `head-1`, `base+2`, `label@-1`, and the upgrade / downgrade / history
//! ranges built on them. A port of `alembic/script/revision.py`; error texts are Alembic's.

use std::collections::BTreeSet;

use crate::graph::{Edges, RevIdx, RevisionMap};

/// Alembic's `_RevisionIdentifierType`: nothing, one identifier, or several.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RevArg {
    None,
    Str(String),
    Tuple(Vec<String>),
}

impl RevArg {
    pub fn str(s: &str) -> Self {
        RevArg::Str(s.to_string())
    }
    /// `util.to_tuple(x)` with `None` kept as "no tuple".
    fn to_tuple(&self) -> Option<Vec<String>> {
        match self {
            RevArg::None => None,
            RevArg::Str(s) => Some(vec![s.clone()]),
            RevArg::Tuple(t) => Some(t.clone()),
        }
    }
}

/// What an identifier resolves to: a revision, Alembic's `"base"` marker, or `None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pos {
    Rev(RevIdx),
    Base,
    Nothing,
}

impl Pos {
    pub fn rev(self) -> Option<RevIdx> {
        match self {
            Pos::Rev(r) => Some(r),
            _ => None,
        }
    }
}

/// Alembic's `RevisionError` family.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RevisionError {
    /// `ResolutionError`: an identifier names nothing (or too many things).
    Resolution { message: String, argument: String },
    /// `MultipleHeads`: `head` (or `label@head`) is ambiguous.
    MultipleHeads { heads: Vec<String>, argument: String },
    /// `RangeNotAncestorError`.
    RangeNotAncestor { lower: Option<String>, upper: Option<String> },
    /// A plain `RevisionError`.
    Other(String),
}

impl RevisionError {
    /// The library-level message (what Alembic's exception says).
    pub fn message(&self) -> String {
        match self {
            RevisionError::Resolution { message, .. } => message.clone(),
            RevisionError::MultipleHeads { heads, argument } => {
                format!("Multiple heads are present for given argument '{}'; {}", argument, heads.join(", "))
            }
            RevisionError::RangeNotAncestor { lower, upper } => format!(
                "Revision {} is not an ancestor of revision {}",
                lower.as_deref().unwrap_or("base"),
                upper.as_deref().unwrap_or("base")
            ),
            RevisionError::Other(m) => m.clone(),
        }
    }
}

/// How a command turns revision errors into its message (`ScriptDirectory._catch_revision_errors`).
#[derive(Clone, Debug, Default)]
pub struct CommandContext<'a> {
    pub ancestor: Option<&'a str>,
    pub multiple_heads: Option<&'a str>,
    pub start: Option<&'a str>,
    pub end: Option<&'a str>,
    pub resolution: Option<&'a str>,
}

impl RevisionError {
    /// The `FAILED:` text Alembic's command layer prints for this error.
    pub fn command_message(&self, ctx: &CommandContext) -> String {
        match self {
            RevisionError::RangeNotAncestor { lower, upper } => {
                let start = ctx
                    .start
                    .map(str::to_string)
                    .unwrap_or_else(|| lower.clone().unwrap_or_else(|| "None".into()));
                let end = ctx
                    .end
                    .map(str::to_string)
                    .unwrap_or_else(|| upper.clone().unwrap_or_else(|| "None".into()));
                let template = ctx
                    .ancestor
                    .unwrap_or("Requested range %(start)s:%(end)s does not refer to ancestor/descendant revisions along the same branch");
                template.replace("%(start)s", &start).replace("%(end)s", &end)
            }
            RevisionError::MultipleHeads { heads, argument } => {
                let template = ctx.multiple_heads.unwrap_or(
                    "Multiple head revisions are present for given argument '%(head_arg)s'; please specify a specific target revision, '<branchname>@%(head_arg)s' to narrow to a specific head, or 'heads' for all heads",
                );
                let head_arg = ctx.end.unwrap_or(argument);
                template.replace("%(head_arg)s", head_arg).replace("%(heads)s", &heads.join(", "))
            }
            RevisionError::Resolution { argument, .. } => match ctx.resolution {
                Some(r) => r.to_string(),
                None => format!("Can't locate revision identified by '{argument}'"),
            },
            RevisionError::Other(m) => m.clone(),
        }
    }
}

type R<T> = Result<T, RevisionError>;

/// The parts of a relative identifier (`_relative_destination`:
/// `(?:(.+?)@)?(\w+)?((?:\+|-)\d+)`, matched at the start only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relative {
    pub branch_label: Option<String>,
    pub symbol: Option<String>,
    pub relative: String,
    pub steps: i64,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn match_symbol_relative(s: &str) -> Option<(Option<String>, String)> {
    let word_end = s.char_indices().find(|(_, c)| !is_word(*c)).map(|(i, _)| i).unwrap_or(s.len());
    let rest = &s[word_end..];
    let sign = rest.chars().next().filter(|c| *c == '+' || *c == '-')?;
    let digits: String = rest[1..].chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() {
        return None;
    }
    let symbol = (word_end > 0).then(|| s[..word_end].to_string());
    Some((symbol, format!("{sign}{digits}")))
}

pub fn parse_relative(s: &str) -> Option<Relative> {
    let build = |label: Option<&str>, (symbol, relative): (Option<String>, String)| {
        // Out-of-range numbers saturate; the walk fails with "Walked too far" as Alembic would.
        let steps = relative
            .parse::<i64>()
            .unwrap_or(if relative.starts_with('-') { i64::MIN / 2 } else { i64::MAX / 2 });
        Relative {
            branch_label: label.map(str::to_string),
            symbol,
            relative,
            steps,
        }
    };
    for (i, c) in s.char_indices() {
        if c == '@'
            && i > 0
            && let Some(m) = match_symbol_relative(&s[i + 1..])
        {
            return Some(build(Some(&s[..i]), m));
        }
    }
    match_symbol_relative(s).map(|m| build(None, m))
}

/// Python's `int(s)` for the plain decimal strings that matter here.
fn python_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let t2: String = t.chars().filter(|c| *c != '_').collect();
    if t2.is_empty() || t.starts_with('_') || t.ends_with('_') || t.contains("__") {
        return None;
    }
    let body = t2.strip_prefix(['+', '-']).unwrap_or(&t2);
    if body.is_empty() || !body.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(
        t2.parse::<i64>()
            .unwrap_or(if t2.starts_with('-') { i64::MIN / 2 } else { i64::MAX / 2 }),
    )
}

impl RevisionMap {
    fn lookup_key(&self, key: &str) -> Option<RevIdx> {
        self.by_id.get(key).or_else(|| self.by_label.get(key)).copied()
    }

    /// Keys of Alembic's `_revision_map` in order: revision ids, then branch labels.
    fn map_keys(&self) -> impl Iterator<Item = (&str, RevIdx)> {
        let ids = self.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i));
        let mut labels: Vec<(&str, RevIdx)> = self.by_label.iter().map(|(k, &v)| (k.as_str(), v)).collect();
        labels.sort_by_key(|&(_, v)| v);
        ids.chain(labels)
    }

    /// `_resolve_revision_number`: symbolic names to ids, plus the branch label if any.
    pub fn resolve_revision_number(&self, id: &RevArg) -> R<(Vec<String>, Option<String>)> {
        let (label, id) = match id {
            RevArg::Str(s) if s.contains('@') => {
                let (l, rest) = s.split_once('@').unwrap_or((s, ""));
                (Some(l.to_string()), RevArg::Str(rest.to_string()))
            }
            other => (None, other.clone()),
        };
        match &id {
            RevArg::Str(s) if s == "heads" => match &label {
                Some(l) => {
                    let heads: Vec<RevIdx> = self.heads.clone();
                    let kept = self.filter_for_lineage(&heads, Some(l), false)?;
                    Ok((kept.iter().map(|&h| self.id(h).to_string()).collect(), label))
                }
                None => Ok((self.real_heads.iter().map(|&h| self.id(h).to_string()).collect(), label)),
            },
            RevArg::Str(s) if s == "head" => match self.get_current_head(label.as_deref())? {
                Some(h) => Ok((vec![self.id(h).to_string()], label)),
                None => Ok((vec![], label)),
            },
            RevArg::Str(s) if s == "base" => Ok((vec![], label)),
            RevArg::None => Ok((vec![], label)),
            other => Ok((other.to_tuple().unwrap_or_default(), label)),
        }
    }

    /// `get_current_head`.
    pub fn get_current_head(&self, branch_label: Option<&str>) -> R<Option<RevIdx>> {
        let mut current: Vec<RevIdx> = self.heads.clone();
        if let Some(l) = branch_label {
            current = self.filter_for_lineage(&current, Some(l), false)?;
        }
        if current.len() > 1 {
            return Err(RevisionError::MultipleHeads {
                heads: current.iter().map(|&h| self.id(h).to_string()).collect(),
                argument: match branch_label {
                    Some(l) => format!("{l}@head"),
                    None => "head".to_string(),
                },
            });
        }
        Ok(current.first().copied())
    }

    /// `get_revisions`: any identifier or list of identifiers to revisions.
    pub fn get_revisions(&self, id: &RevArg) -> R<Vec<Pos>> {
        if let RevArg::Tuple(items) = id {
            let mut out = Vec::new();
            for i in items {
                out.extend(self.get_revisions(&RevArg::Str(i.clone()))?);
            }
            return Ok(out);
        }
        let (resolved, label) = self.resolve_revision_number(id)?;
        if resolved.len() == 1
            && let Some(rint) = python_int(&resolved[0])
            && rint < 0
        {
            let mut heads: Vec<RevIdx> = self
                .get_revisions(&RevArg::str("heads"))?
                .into_iter()
                .filter_map(Pos::rev)
                .collect();
            if let Some(l) = &label {
                heads.retain(|&h| self.nodes[h].links.labels.contains(l));
            }
            let mut out = Vec::new();
            for h in heads {
                out.push(self.walk(Pos::Rev(h), rint, None, true)?);
            }
            return Ok(out);
        }
        resolved
            .iter()
            .map(|r| self.revision_for_ident(Some(r), label.as_deref()))
            .collect()
    }

    /// `get_revision`: exactly one revision (or none, for `base`).
    pub fn get_revision(&self, id: &RevArg) -> R<Pos> {
        let (resolved, label) = self.resolve_revision_number(id)?;
        if resolved.len() > 1 {
            return Err(RevisionError::MultipleHeads {
                heads: resolved,
                argument: match id {
                    RevArg::Str(s) => s.clone(),
                    RevArg::Tuple(t) => py_tuple_repr(t),
                    RevArg::None => "None".into(),
                },
            });
        }
        self.revision_for_ident(resolved.first().map(String::as_str), label.as_deref())
    }

    fn resolve_branch(&self, label: &str) -> R<RevIdx> {
        if let Some(r) = self.lookup_key(label) {
            return Ok(r);
        }
        match self.revision_for_ident(Some(label), None) {
            Ok(Pos::Rev(r)) => Ok(r),
            Ok(_) | Err(RevisionError::Resolution { .. }) => Err(RevisionError::Resolution {
                message: format!("No such branch: '{label}'"),
                argument: label.to_string(),
            }),
            Err(e) => Err(e),
        }
    }

    /// `_revision_for_ident`: exact key (id or label), else a unique prefix of ≥ 4 characters.
    pub fn revision_for_ident(&self, resolved: Option<&str>, check_branch: Option<&str>) -> R<Pos> {
        let branch_rev = match check_branch {
            Some(b) if !b.is_empty() => Some(self.resolve_branch(b)?),
            _ => None,
        };
        let Some(ident) = resolved else { return Ok(Pos::Nothing) };
        let revision = match self.lookup_key(ident) {
            Some(r) => r,
            None => {
                let mut revs: Vec<(&str, RevIdx)> = self
                    .map_keys()
                    .filter(|(k, _)| k.chars().count() > 3 && k.starts_with(ident))
                    .collect();
                if branch_rev.is_some() {
                    let idxs: Vec<RevIdx> = revs.iter().map(|&(_, r)| r).collect();
                    let kept = self.filter_for_lineage(&idxs, check_branch, false)?;
                    revs.retain(|(_, r)| kept.contains(r));
                }
                if revs.is_empty() {
                    let hint = if ident.chars().count() < 4 {
                        "; please ensure at least four characters are present for partial revision identifier matches"
                    } else {
                        ""
                    };
                    return Err(RevisionError::Resolution {
                        message: format!("No such revision or branch '{ident}'{hint}"),
                        argument: ident.to_string(),
                    });
                } else if revs.len() > 1 {
                    let shown: Vec<String> = revs.iter().take(3).map(|(k, _)| format!("'{k}'")).collect();
                    return Err(RevisionError::Resolution {
                        message: format!("Multiple revisions start with '{}': {}...", ident, shown.join(", ")),
                        argument: ident.to_string(),
                    });
                }
                revs[0].1
            }
        };
        if let (Some(branch), Some(b)) = (branch_rev, check_branch)
            && !self.shares_lineage(revision, &[branch], false)
        {
            return Err(RevisionError::Resolution {
                message: format!("Revision {} is not a member of branch '{}'", self.id(revision), b),
                argument: ident.to_string(),
            });
        }
        Ok(Pos::Rev(revision))
    }

    /// `filter_for_lineage`: the targets that share ancestry with `check_against`.
    pub fn filter_for_lineage(&self, targets: &[RevIdx], check_against: Option<&str>, include_dependencies: bool) -> R<Vec<RevIdx>> {
        let (ids, label) = self.resolve_revision_number(&match check_against {
            Some(c) => RevArg::str(c),
            None => RevArg::None,
        })?;
        let mut shares: Vec<String> = Vec::new();
        if let Some(l) = label {
            shares.push(l);
        }
        shares.extend(ids);
        if shares.is_empty() {
            return Ok(targets.to_vec());
        }
        let mut against = Vec::new();
        for s in &shares {
            if let Pos::Rev(r) = self.revision_for_ident(Some(s), None)? {
                against.push(r);
            }
        }
        Ok(targets
            .iter()
            .copied()
            .filter(|&t| self.shares_lineage(t, &against, include_dependencies))
            .collect())
    }

    /// `_shares_lineage`: is any of `against` an ancestor or descendant of `target`?
    pub fn shares_lineage(&self, target: RevIdx, against: &[RevIdx], include_dependencies: bool) -> bool {
        if against.is_empty() {
            return true;
        }
        let mut related: BTreeSet<RevIdx> = self.descendants(&[target], include_dependencies).into_iter().collect();
        related.extend(self.ancestors(&[target], include_dependencies));
        against.iter().any(|a| related.contains(a))
    }

    /// `_walk`: `steps` up (positive) or down (negative) from `start`.
    pub fn walk(&self, start: Pos, steps: i64, branch_label: Option<&str>, no_overwalk: bool) -> R<Pos> {
        let mut initial = start;
        let count = steps.unsigned_abs().min(self.nodes.len() as u64 + 2);
        let overwalk = steps.unsigned_abs() > count;
        for _ in 0..count {
            let children: Vec<Pos> = if steps > 0 {
                let ups: Vec<RevIdx> = match initial {
                    Pos::Nothing => self.bases.clone(),
                    Pos::Rev(r) => self.nodes[r].nextrev.clone(),
                    Pos::Base => return Err(RevisionError::Other("Cannot walk up from 'base'".into())),
                };
                let ups = match branch_label {
                    Some(l) => self.filter_for_lineage(&ups, Some(l), false)?,
                    None => ups,
                };
                ups.into_iter().map(Pos::Rev).collect()
            } else {
                match initial {
                    Pos::Base => vec![],
                    Pos::Nothing => self.heads.iter().map(|&h| Pos::Rev(h)).collect(),
                    Pos::Rev(r) => {
                        let downs: Vec<Pos> = self.nodes[r].down.iter().map(|&d| Pos::Rev(d)).collect();
                        if downs.is_empty() { vec![Pos::Base] } else { downs }
                    }
                }
            };
            if children.is_empty() {
                return Ok(if no_overwalk { Pos::Nothing } else { initial });
            } else if children.len() > 1 {
                return Err(RevisionError::Other("Ambiguous walk".into()));
            }
            initial = children[0];
        }
        if overwalk && no_overwalk {
            return Ok(Pos::Nothing);
        }
        Ok(initial)
    }

    fn walk_from_ident(&self, symbol: &str, steps: i64, branch_label: Option<&str>, no_overwalk: bool) -> R<Pos> {
        let start = self.get_revision(&RevArg::str(symbol))?;
        self.walk(start, steps, branch_label, no_overwalk)
    }

    fn didnt_produce(relative: &str, steps: i64) -> RevisionError {
        RevisionError::Other(format!(
            "Relative revision {} didn't produce {} migrations",
            relative,
            steps.unsigned_abs()
        ))
    }

    /// `_parse_downgrade_target`: `(branch_label, target)`.
    pub fn parse_downgrade_target(&self, current: &RevArg, target: &RevArg, assert_relative_length: bool) -> R<(Option<String>, Pos)> {
        let target = match target {
            RevArg::None => return Ok((None, Pos::Nothing)),
            RevArg::Str(s) => s.clone(),
            RevArg::Tuple(_) => return Err(RevisionError::Other("Expected downgrade target in string form".into())),
        };
        if let Some(rel) = parse_relative(&target) {
            let mut branch_label = rel.branch_label.clone();
            if rel.steps >= 0 {
                let Some(symbol) = &rel.symbol else {
                    return Err(Self::didnt_produce(&rel.relative, rel.steps));
                };
                let rev = self.walk_from_ident(symbol, rel.steps, branch_label.as_deref(), assert_relative_length)?;
                if rev == Pos::Nothing {
                    return Err(RevisionError::Other("Walked too far".into()));
                }
                return Ok((branch_label, rev));
            }
            let relative_revision = rel.symbol.is_none();
            let symbol = match &rel.symbol {
                Some(s) => s.clone(),
                None => match &branch_label {
                    Some(l) => {
                        let cr = current.to_tuple().unwrap_or_default();
                        // `filter_for_lineage(cr_tuple, ...)` resolves each current revision
                        // with `_revision_for_ident`: ids, partial ids and labels, but not
                        // symbols such as `heads`.
                        let mut cr_idx: Vec<RevIdx> = Vec::new();
                        for c in &cr {
                            if let Pos::Rev(r) = self.revision_for_ident(Some(c), None)? {
                                cr_idx.push(r);
                            }
                        }
                        let mut symbols: Vec<String> = self
                            .filter_for_lineage(&cr_idx, Some(l), false)?
                            .iter()
                            .map(|&r| self.id(r).to_string())
                            .collect();
                        if symbols.is_empty() {
                            let all_current = self.get_all_current(&cr)?;
                            symbols = self
                                .filter_for_lineage(&all_current, Some(l), false)?
                                .iter()
                                .map(|&r| self.id(r).to_string())
                                .collect();
                        }
                        if symbols.len() != 1 {
                            return Err(RevisionError::Other(format!(
                                "Ambiguous walk: branch '{}' matches {} current revisions",
                                l,
                                symbols.len()
                            )));
                        }
                        symbols.remove(0)
                    }
                    None => {
                        let cr = current.to_tuple().unwrap_or_default();
                        if cr.is_empty() {
                            return Err(Self::didnt_produce(&rel.relative, rel.steps));
                        }
                        let s = cr[0].clone();
                        branch_label = Some(s.clone());
                        s
                    }
                },
            };
            let start = match &branch_label {
                None => self.get_revision(&RevArg::Str(symbol.clone()))?,
                Some(l) => self.get_revision(&RevArg::Str(format!("{l}@{symbol}")))?,
            };
            let rev = self.walk(start, rel.steps, None, assert_relative_length)?;
            if rev == Pos::Nothing {
                return Err(if relative_revision {
                    Self::didnt_produce(&rel.relative, rel.steps)
                } else {
                    RevisionError::Other("Walked too far".into())
                });
            }
            return Ok((branch_label, rev));
        }
        let (label, symbol) = match target.rfind('@') {
            Some(i) => (Some(target[..i].to_string()).filter(|l| !l.is_empty()), target[i + 1..].to_string()),
            None => (None, target.clone()),
        };
        Ok((label, self.get_revision(&RevArg::Str(symbol))?))
    }

    /// `_parse_upgrade_target`.
    pub fn parse_upgrade_target(&self, current: &RevArg, target: &RevArg, assert_relative_length: bool) -> R<Vec<Pos>> {
        let rel = match target {
            RevArg::Str(s) => parse_relative(s),
            _ => None,
        };
        let Some(rel) = rel else { return self.get_revisions(target) };
        let branch_label = rel.branch_label.as_deref();
        if rel.steps > 0 {
            match &rel.symbol {
                None => {
                    let cr: Vec<Option<String>> = match current.to_tuple() {
                        Some(t) if !t.is_empty() => t.into_iter().map(Some).collect(),
                        _ => vec![None],
                    };
                    let ambiguous = || RevisionError::Other("Ambiguous upgrade from multiple current revisions".into());
                    // Alembic keeps the current revisions as strings and only resolves the one
                    // it walks from (`_walk(start=start_revs[0])`), after the ambiguity check.
                    let start = if let Some(l) = branch_label {
                        let given: Vec<String> = cr.iter().flatten().cloned().collect();
                        let resolved = self.get_revisions(&RevArg::Tuple(given))?;
                        if resolved.contains(&Pos::Base) {
                            // `_shares_lineage("base", ...)` looks "base" up as an identifier
                            return Err(RevisionError::Resolution {
                                message: "No such revision or branch 'base'".into(),
                                argument: "base".into(),
                            });
                        }
                        let cur: Vec<RevIdx> = resolved.into_iter().filter_map(Pos::rev).collect();
                        let filtered = self.filter_for_lineage(&cur, Some(l), false)?;
                        let mut start_revs: Vec<Pos> = filtered.iter().map(|&r| Pos::Rev(r)).collect();
                        if start_revs.is_empty() {
                            let active = self.filter_for_lineage(&self.ancestors(&cur, true), Some(l), false)?;
                            let downs: BTreeSet<RevIdx> = active.iter().flat_map(|&r| self.nodes[r].normalized_down()).collect();
                            let tips: BTreeSet<RevIdx> = active.iter().copied().filter(|r| !downs.contains(r)).collect();
                            start_revs = tips.into_iter().map(Pos::Rev).collect();
                            if start_revs.is_empty() {
                                start_revs = vec![Pos::Nothing];
                            }
                        }
                        if start_revs.len() > 1 {
                            return Err(ambiguous());
                        }
                        start_revs[0]
                    } else {
                        if cr.len() > 1 {
                            return Err(ambiguous());
                        }
                        match &cr[0] {
                            Some(s) => self.get_revision(&RevArg::Str(s.clone()))?,
                            None => Pos::Nothing,
                        }
                    };
                    let rev = self.walk(start, rel.steps, branch_label, assert_relative_length)?;
                    if rev == Pos::Nothing {
                        return Err(Self::didnt_produce(&rel.relative, rel.steps));
                    }
                    Ok(vec![rev])
                }
                Some(symbol) => Ok(vec![self.walk_from_ident(
                    symbol,
                    rel.steps,
                    branch_label,
                    assert_relative_length,
                )?]),
            }
        } else {
            let Some(symbol) = &rel.symbol else {
                return Err(RevisionError::Other(format!(
                    "Relative revision {} didn't produce {} migrations",
                    rel.steps,
                    rel.steps.unsigned_abs()
                )));
            };
            let start = match branch_label {
                None => self.get_revision(&RevArg::Str(symbol.clone()))?,
                Some(l) => self.get_revision(&RevArg::Str(format!("{l}@{symbol}")))?,
            };
            Ok(vec![self.walk(start, rel.steps, None, assert_relative_length)?])
        }
    }

    /// `_get_all_current`: the branch heads among the given revisions and their ancestors.
    pub fn get_all_current(&self, ids: &[String]) -> R<Vec<RevIdx>> {
        let top: Vec<RevIdx> = self
            .get_revisions(&RevArg::Tuple(ids.to_vec()))?
            .into_iter()
            .filter_map(Pos::rev)
            .collect();
        let mut all: BTreeSet<RevIdx> = top.iter().copied().collect();
        all.extend(self.ancestors(&top, true));
        Ok(self.filter_into_branch_heads(&all))
    }

    fn filter_into_branch_heads(&self, targets: &BTreeSet<RevIdx>) -> Vec<RevIdx> {
        let mut kept = targets.clone();
        for &rev in targets {
            let desc = self.descendants(&[rev], false);
            if desc.iter().any(|d| *d != rev && kept.contains(d)) {
                kept.remove(&rev);
            }
        }
        kept.into_iter().collect()
    }

    /// `_collect_upgrade_revisions`: the revisions needed to go from `lower` to `upper`.
    pub fn collect_upgrade_revisions(
        &self,
        upper: &RevArg,
        lower: &RevArg,
        inclusive: bool,
        implicit_base: bool,
        assert_relative_length: bool,
    ) -> R<(Vec<RevIdx>, Vec<RevIdx>)> {
        let mut targets: Vec<RevIdx> = Vec::new();
        for p in self.parse_upgrade_target(lower, upper, assert_relative_length)? {
            match p {
                Pos::Rev(r) => targets.push(r),
                _ => return Err(RevisionError::Other("Upgrade target does not name a revision".into())),
            }
        }
        if let RevArg::Str(l) = lower
            && let Some((branch, _)) = l.split_once('@')
        {
            let mut branch = branch.to_string();
            if let Pos::Rev(br) = self.get_revision(&RevArg::Str(branch.clone()))?
                && self.id(br) == branch
            {
                let labels = &self.nodes[br].links.labels;
                if labels.len() != 1 {
                    return Err(RevisionError::Other(format!(
                        "Revision {branch} used as a branch name must carry exactly one branch label"
                    )));
                }
                branch = labels.iter().next().cloned().unwrap_or_default();
            }
            targets.retain(|&t| self.nodes[t].links.labels.contains(&branch));
        }
        let required: BTreeSet<RevIdx> = self
            .iterate_related_checked(&targets, Edges::NormalizedDown)
            .map_err(RevisionError::Other)?
            .into_iter()
            .chain(targets.iter().copied())
            .collect();
        let mut lower = lower.clone();
        let mut current = self.get_revisions(&lower)?;
        if !implicit_base
            && current
                .iter()
                .any(|p| *p != Pos::Nothing && p.rev().is_none_or(|r| !required.contains(&r)))
        {
            return Err(RevisionError::RangeNotAncestor {
                lower: arg_text(&lower),
                upper: arg_text(upper),
            });
        }
        if current.first() == Some(&Pos::Nothing) {
            let (_, rev) = self.parse_downgrade_target(upper, &lower, assert_relative_length)?;
            match rev {
                Pos::Base | Pos::Nothing => {
                    current = vec![];
                    lower = RevArg::None;
                }
                Pos::Rev(r) => {
                    current = vec![Pos::Rev(r)];
                    lower = RevArg::Str(self.id(r).to_string());
                }
            }
        }
        let current_revs: Vec<RevIdx> = current.iter().filter_map(|p| p.rev()).collect();
        let current_set: BTreeSet<RevIdx> = self
            .iterate_related_checked(&current_revs, Edges::NormalizedDown)
            .map_err(RevisionError::Other)?
            .into_iter()
            .chain(current_revs.iter().copied())
            .collect();
        let mut needs: BTreeSet<RevIdx> = required.difference(&current_set).copied().collect();
        if inclusive {
            needs.extend(self.get_revisions(&lower)?.into_iter().filter_map(Pos::rev));
        }
        if !current.is_empty() && !implicit_base {
            let lower_desc: BTreeSet<RevIdx> = self
                .iterate_related_checked(&current_revs, Edges::Next)
                .map_err(RevisionError::Other)?
                .into_iter()
                .collect();
            needs.retain(|n| lower_desc.contains(n));
        }
        Ok((needs.into_iter().collect(), targets))
    }

    /// `_collect_downgrade_revisions`: the revisions to undo to go from `upper` down to `lower`.
    pub fn collect_downgrade_revisions(
        &self,
        upper: &RevArg,
        lower: &RevArg,
        inclusive: bool,
        implicit_base: bool,
        assert_relative_length: bool,
    ) -> R<(Vec<RevIdx>, Vec<RevIdx>)> {
        let (branch_label, target) = self.parse_downgrade_target(upper, lower, assert_relative_length)?;
        let target = match target {
            Pos::Rev(r) => Some(r),
            _ => None,
        };
        let mut roots: Vec<RevIdx> = match target {
            None => {
                let keys: Vec<RevIdx> = self.map_keys().map(|(_, r)| r).collect();
                keys.into_iter().filter(|&r| self.nodes[r].is_base()).collect()
            }
            Some(t) if inclusive => vec![t],
            Some(t) => self.nodes[t].nextrev.clone(),
        };
        if let Some(l) = &branch_label
            && roots.len() > 1
        {
            let anc: BTreeSet<RevIdx> = self.ancestors(&[self.resolve_branch(l)?], false).into_iter().collect();
            let kept: BTreeSet<RevIdx> = roots.iter().copied().filter(|r| anc.contains(r)).collect();
            roots = kept.into_iter().collect();
            if roots.is_empty() {
                return Err(RevisionError::Other("Not a valid downgrade target from current heads".into()));
            }
        }
        let heads: Vec<RevIdx> = self.get_revisions(upper)?.into_iter().filter_map(Pos::rev).collect();
        let mut downgrade: BTreeSet<RevIdx> = self.descendants(&roots, true).into_iter().collect();
        let active: BTreeSet<RevIdx> = self.ancestors(&heads, true).into_iter().collect();
        downgrade.retain(|r| active.contains(r));
        if implicit_base {
            let root_anc: BTreeSet<RevIdx> = self.ancestors(&roots, true).into_iter().collect();
            downgrade.extend(active.difference(&root_anc).copied());
        }
        if let Some(t) = target
            && downgrade.is_empty()
            && !heads.contains(&t)
        {
            return Err(RevisionError::RangeNotAncestor {
                lower: Some("Nothing to drop".into()),
                upper: arg_text(upper),
            });
        }
        Ok((downgrade.into_iter().collect(), heads))
    }

    /// `iterate_revisions`: the revisions between `upper` and `lower`, children first.
    pub fn iterate_revisions(
        &self,
        upper: &RevArg,
        lower: &RevArg,
        implicit_base: bool,
        inclusive: bool,
        assert_relative_length: bool,
        select_for_downgrade: bool,
    ) -> R<Vec<RevIdx>> {
        if let Some(c) = &self.cycle {
            return Err(RevisionError::Other(c.message.clone()));
        }
        let (revisions, heads) = if select_for_downgrade {
            self.collect_downgrade_revisions(upper, lower, inclusive, implicit_base, assert_relative_length)?
        } else {
            self.collect_upgrade_revisions(upper, lower, inclusive, implicit_base, assert_relative_length)?
        };
        Ok(self.topological_sort(&revisions, &heads))
    }

    /// `ScriptDirectory.walk_revisions`: what `history` lists, newest first.
    pub fn walk_revisions(&self, base: &str, head: &str) -> Result<Vec<RevIdx>, String> {
        let ctx = CommandContext {
            start: Some(base),
            end: Some(head),
            ..Default::default()
        };
        self.iterate_revisions(&RevArg::str(head), &RevArg::str(base), false, true, false, false)
            .map_err(|e| e.command_message(&ctx))
    }
}

/// An identifier argument as `RangeNotAncestorError` keeps it: `None` when Python would
/// find it falsy (so the message says `base`), else its `%s` text (a tuple prints as its repr).
fn arg_text(a: &RevArg) -> Option<String> {
    match a {
        RevArg::None => None,
        RevArg::Str(s) if s.is_empty() => None,
        RevArg::Str(s) => Some(s.clone()),
        RevArg::Tuple(t) if t.is_empty() => None,
        RevArg::Tuple(t) => Some(py_tuple_repr(t)),
    }
}

/// Python's `repr()` of a tuple of strings: `('a',)`, `('a', 'b')`.
fn py_tuple_repr(t: &[String]) -> String {
    let items: Vec<String> = t.iter().map(|s| format!("'{s}'")).collect();
    if items.len() == 1 {
        format!("({},)", items[0])
    } else {
        format!("({})", items.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_grammar() {
        let r = parse_relative("head-1").unwrap();
        assert_eq!((r.branch_label, r.symbol.as_deref(), r.steps), (None, Some("head"), -1));
        let r = parse_relative("feature@-2").unwrap();
        assert_eq!((r.branch_label.as_deref(), r.symbol, r.steps), (Some("feature"), None, -2));
        let r = parse_relative("+3").unwrap();
        assert_eq!((r.symbol, r.steps), (None, 3));
        let r = parse_relative("a@b@base+1").unwrap();
        assert_eq!((r.branch_label.as_deref(), r.symbol.as_deref()), (Some("a@b"), Some("base")));
        assert!(parse_relative("ae10b5c6d7e8").is_none());
        assert!(parse_relative("head").is_none());
    }

    #[test]
    fn python_int_rules() {
        assert_eq!(python_int("-1"), Some(-1));
        assert_eq!(python_int("12"), Some(12));
        assert_eq!(python_int("1_000"), Some(1000));
        assert_eq!(python_int("ae10"), None);
        assert_eq!(python_int("_1"), None);
    }
}
