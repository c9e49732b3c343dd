//! Names read from a file's path: the folder it sits in, the department its name gives.

/// The department a file that yields no form is most likely from: its name without the
/// year and the form's words (`株洲市XX局2022年度绩效自评.xlsx` → `株洲市XX局`), else its
/// folder.
pub fn department_of_file(rel: &str) -> String {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let mut end = stem.len();
    // a year (`2022`), or the words of a form's title or an attachment number
    for (i, _) in stem.char_indices() {
        let rest = &stem[i..];
        let year = rest.len() >= 4 && rest.as_bytes()[..4].iter().all(u8::is_ascii_digit);
        let words =
            ["绩效", "自评", "部门整体", "项目支出", "整体支出", "附件", "基础数据", "决算", "（", "(", "_", "-", " "];
        if year || words.iter().any(|w| rest.starts_with(w)) {
            end = i;
            break;
        }
    }
    let cut = stem[..end].trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace() || "、，：".contains(c));
    if cut.chars().count() >= 2 && !cut.is_ascii() { cut.to_string() } else { parent_folder(rel) }
}

/// The name of the folder holding a file (`局A/2022.xlsx` → `局A`), empty at the top.
pub fn parent_folder(rel: &str) -> String {
    let mut parts: Vec<&str> = rel.split('/').collect();
    parts.pop();
    parts.last().map(|s| s.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_names_its_department() {
        assert_eq!(department_of_file("湘潭/株洲市XX局2022年度绩效自评.xlsx"), "株洲市XX局");
        assert_eq!(department_of_file("湘潭/市教育局-部门整体支出绩效自评表.xls"), "市教育局");
        assert_eq!(department_of_file("湘潭/2022年度绩效自评.xlsx"), "湘潭", "no name: the folder");
        assert_eq!(department_of_file("湘潭/report.xlsx"), "湘潭");
        assert_eq!(parent_folder("局A/2022.xlsx"), "局A");
        assert_eq!(parent_folder("2022.xlsx"), "");
    }
}
