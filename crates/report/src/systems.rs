//! 所属系统: which 系统 (bureau, district) each department, form, finding and file
//! belongs to. By default the folder at `[systems] level` under INPUT_DIR
//! (`市教育局系统/株洲市第一中学/自评.xlsx` → `市教育局系统`); a `map_file` (department or
//! folder name → 系统) wins over the folder. Names in the map are matched like roster
//! names (`crate::roster::key`).

use std::collections::HashMap;
use std::path::Path;

use crate::roster::{RosterError, key, read_rows};
use crate::settings::{RosterMatching, Settings};

#[derive(Debug, Clone, Default)]
pub struct Systems {
    level: usize,
    unassigned: String,
    matching: Option<RosterMatching>,
    /// name key → 系统.
    map: HashMap<String, String>,
}

impl Systems {
    /// The resolver the configuration describes, its map file read.
    pub fn from_config(config: &Settings) -> Result<Systems, RosterError> {
        let mut s = Systems {
            level: config.systems.level,
            unassigned: config.systems.unassigned.clone(),
            matching: Some(config.roster.clone()),
            map: HashMap::new(),
        };
        let file = config.systems.map_file.trim();
        if !file.is_empty() {
            for row in read_rows(Path::new(file))? {
                let (Some(name), Some(system)) = (row.first(), row.get(1)) else { continue };
                let (name, system) = (name.trim(), system.trim());
                if name.is_empty() || system.is_empty() || matches!(system, "所属系统" | "系统") {
                    continue;
                }
                s.map.insert(s.key(name), system.to_string());
            }
        }
        Ok(s)
    }

    fn key(&self, name: &str) -> String {
        match &self.matching {
            Some(m) => key(name, m),
            None => jixiao_text::normalize::norm(name),
        }
    }

    /// Adds `name → system` unless the map already names one (the roster's 系统 for its
    /// departments, below the map file's).
    pub fn add_default(&mut self, name: &str, system: &str) {
        if !system.trim().is_empty() {
            let k = self.key(name);
            self.map.entry(k).or_insert_with(|| system.trim().to_string());
        }
    }

    /// The 系统 of a file (`path` relative to INPUT_DIR, `/`-separated) or of a form or
    /// finding of the department `department` in it.
    pub fn of(&self, path: &str, department: Option<&str>) -> String {
        if !self.map.is_empty() {
            if let Some(s) = department.filter(|d| !d.trim().is_empty()).and_then(|d| self.map.get(&self.key(d))) {
                return s.clone();
            }
            let folders = path.split('/').rev().skip(1);
            for f in folders {
                if let Some(s) = self.map.get(&self.key(f)) {
                    return s.clone();
                }
            }
        }
        let folders: Vec<&str> = path.split('/').collect();
        match self.level {
            0 => self.unassigned.clone(),
            l if folders.len() > l => folders[l - 1].to_string(),
            _ => self.unassigned.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_folder_level_and_map() {
        let mut c = crate::settings::builtin_for_tests();
        let s = Systems::from_config(&c).unwrap();
        assert_eq!(s.of("市教育局系统/一中/自评.xlsx", Some("株洲市第一中学")), "市教育局系统");
        assert_eq!(s.of("自评.xlsx", None), "未分系统");
        c.systems.level = 2;
        let mut s = Systems::from_config(&c).unwrap();
        assert_eq!(s.of("市教育局系统/一中/自评.xlsx", None), "一中");
        assert_eq!(s.of("市教育局系统/自评.xlsx", None), "未分系统");
        s.add_default("第一中学", "教育");
        assert_eq!(s.of("市教育局系统/自评.xlsx", Some("株洲市第一中学 ")), "教育");
        assert_eq!(s.of("a/一中/自评.xlsx", None), "一中");
    }
}
