//! The progress bar, the closing summary line and the warnings of a run.

use super::Lang;
use crate::pipeline::RunReport;

/// indicatif's template for the progress bar.
pub fn progress_template(lang: Lang) -> &'static str {
    lang.pick(
        "{bar:40} {pos}/{len} 个文件  {per_sec}  预计还需 {eta}",
        "{bar:40} {pos}/{len} files  {per_sec}  ETA {eta}",
    )
}

/// The line a run ends with: what was read, what was found, where it went.
pub fn closing_line(r: &RunReport, lang: Lang) -> String {
    let f = &r.files;
    let secs = r.durations_ms.total as f64 / 1000.0;
    match lang {
        Lang::Zh => format!(
            "共 {} 个文件（已读取 {}，无自评表 {}，读取失败 {}，重复 {}，未读取 {}）· 部门整体自评表 {} 张、项目自评表 {} 张、基础数据表 {} 张（{} 张已被新版本替代）· 疑点 {} 条（错误 {}，警告 {}）· 用时 {:.1} 秒 → {}",
            f.total,
            f.ok,
            f.no_form,
            f.failed,
            f.duplicate,
            f.skipped,
            r.forms.department,
            r.forms.project,
            r.forms.basic,
            r.forms.superseded,
            r.anomalies.total,
            r.anomalies.error,
            r.anomalies.warning,
            secs,
            r.out
        ),
        Lang::En => crate::pipeline::one_line(r),
    }
}

/// A file of ours not written because the user keeps one of that name in OUT_DIR.
pub fn kept_user_file(path: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("注意：输出文件夹中已有您的同名文件 {path}，未覆盖；本次的这一份没有写出"),
        Lang::En => {
            format!("note: OUT_DIR holds a file of yours at {path}; it was kept and this run's was not written")
        }
    }
}

/// A file of an earlier run the user changed, kept although this run did not write it.
pub fn kept_changed(path: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("注意：{path} 是上次输出的文件，已被修改，予以保留（不再更新）"),
        Lang::En => format!("note: {path}, written by an earlier run and changed since, was kept"),
    }
}
