//! What keeps a worker process within bounds, per platform: its memory is limited to what
//! it holds when it starts plus `[limits] worker_memory_mb`, and it ends when the run that
//! started it ends, however that ends (a worker looping on a file must not outlive a run
//! that was killed).
//!
//! - Linux: `setrlimit(RLIMIT_AS)` and `prctl(PR_SET_PDEATHSIG)`;
//! - Windows: a job object with a per-process memory limit (`ProcessMemoryLimit`, the
//!   committed memory), and a thread that waits on the parent's process handle (its id
//!   comes in [`PARENT_VAR`]) and ends the worker when the parent is gone;
//! - elsewhere (other Unixes): the memory limit only.

/// The environment variable in which a run tells its workers its process id.
pub const PARENT_VAR: &str = "JIXIAO_PARENT_PID";

/// Limits this process's address space to what it holds now plus `mb` (0: no limit).
/// Counting from now makes the limit what a file may make the reader take, the same in a
/// debug and a release build: the program, its libraries and the allocator's first arena
/// are already mapped (about 330 MB for a debug build), and a limit below them would leave
/// the worker no room to map anything, failing on the first file that needs a new mapping.
#[cfg(unix)]
pub fn limit_memory(mb: u64) {
    if mb == 0 {
        return;
    }
    let bytes = mapped_now().saturating_add(mb.saturating_mul(1024 * 1024)) as libc::rlim_t;
    let limit = libc::rlimit { rlim_cur: bytes, rlim_max: bytes };
    // SAFETY: setrlimit reads the struct we pass and changes only this process's limits
    unsafe {
        libc::setrlimit(libc::RLIMIT_AS, &limit);
    }
}

/// This process's address space now, in bytes (Linux: `/proc/self/statm`, in pages; 0
/// where it cannot be read, which leaves the limit at `mb` alone).
#[cfg(unix)]
fn mapped_now() -> u64 {
    let pages = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|p| p.parse::<u64>().ok()))
        .unwrap_or(0);
    // SAFETY: sysconf only reads a system constant
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages.saturating_mul(u64::try_from(page).unwrap_or(4096))
}

/// On Linux, the worker is killed when the run that started it ends, however it ends: a
/// worker looping on a file must not outlive a run that was killed.
#[cfg(target_os = "linux")]
pub fn die_with_parent() {
    // SAFETY: prctl(PR_SET_PDEATHSIG) takes a signal number and changes only this process
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
    }
    // the parent may have ended before the call: then our parent is init
    if std::os::unix::process::parent_id() == 1 {
        std::process::exit(0);
    }
}

#[cfg(all(unix, not(target_os = "linux")))]
pub fn die_with_parent() {}

#[cfg(unix)]
pub fn describe_exit(s: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match s.signal() {
        Some(libc::SIGABRT) => "aborted (SIGABRT)".into(),
        Some(libc::SIGKILL) => "was killed (SIGKILL; by the system, out of memory?)".into(),
        Some(libc::SIGSEGV) => "crashed (SIGSEGV)".into(),
        Some(n) => format!("ended by signal {n}"),
        None => format!("exited with status {}", s.code().unwrap_or(-1)),
    }
}

/// Windows: the NTSTATUS codes a crashed process ends with.
#[cfg(windows)]
pub fn describe_exit(s: std::process::ExitStatus) -> String {
    match s.code().map(|c| c as u32) {
        Some(0xC000_0005) => "crashed (access violation)".into(),
        Some(0xC000_00FD) => "crashed (stack overflow)".into(),
        Some(0xC000_0409) => "aborted (fail-fast)".into(),
        Some(0xC000_0017) => "ran out of memory".into(),
        Some(c) => format!("exited with status {c:#x}"),
        None => format!("exited with {s}"),
    }
}

#[cfg(not(any(unix, windows)))]
pub fn describe_exit(s: std::process::ExitStatus) -> String {
    format!("exited with {s}")
}
/// Windows: puts this process in a job object whose per-process limit is the memory it has
/// committed now plus `mb` (0: no limit); an allocation past it fails as it would under
/// `RLIMIT_AS`. Nothing to undo: the job ends with the process.
#[cfg(windows)]
pub fn limit_memory(mb: u64) {
    use windows_sys::Win32::System::JobObjects::{
        AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_PROCESS_MEMORY,
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectExtendedLimitInformation, SetInformationJobObject,
    };
    use windows_sys::Win32::System::ProcessStatus::{K32GetProcessMemoryInfo, PROCESS_MEMORY_COUNTERS};
    use windows_sys::Win32::System::Threading::GetCurrentProcess;
    if mb == 0 {
        return;
    }
    // SAFETY: every call gets a valid handle (the pseudo-handle of this process, or the
    // job just created and checked) and structs of the size it is told
    unsafe {
        let me = GetCurrentProcess();
        let mut counters: PROCESS_MEMORY_COUNTERS = std::mem::zeroed();
        let size = std::mem::size_of::<PROCESS_MEMORY_COUNTERS>() as u32;
        let committed = if K32GetProcessMemoryInfo(me, &mut counters, size) != 0 { counters.PagefileUsage } else { 0 };
        let job = CreateJobObjectW(std::ptr::null(), std::ptr::null());
        if job.is_null() {
            return;
        }
        let mut info: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = std::mem::zeroed();
        info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_PROCESS_MEMORY;
        info.ProcessMemoryLimit =
            committed.saturating_add(usize::try_from(mb.saturating_mul(1024 * 1024)).unwrap_or(usize::MAX));
        let set = SetInformationJobObject(
            job,
            JobObjectExtendedLimitInformation,
            (&info as *const JOBOBJECT_EXTENDED_LIMIT_INFORMATION).cast(),
            std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
        );
        if set != 0 {
            AssignProcessToJobObject(job, me);
        }
    }
}

/// Windows: a thread waits on the parent's process handle and ends this process when the
/// parent has ended (or could not be found: then it already has).
#[cfg(windows)]
pub fn die_with_parent() {
    use windows_sys::Win32::System::Threading::{INFINITE, OpenProcess, PROCESS_SYNCHRONIZE, WaitForSingleObject};
    let Some(pid) = std::env::var(PARENT_VAR).ok().and_then(|p| p.parse::<u32>().ok()) else { return };
    // SAFETY: OpenProcess returns a handle or null (checked); the handle is only waited on
    let parent = unsafe { OpenProcess(PROCESS_SYNCHRONIZE, 0, pid) };
    if parent.is_null() {
        std::process::exit(0);
    }
    let parent = parent as usize;
    std::thread::spawn(move || {
        // SAFETY: the handle stays open for the life of the process
        unsafe { WaitForSingleObject(parent as windows_sys::Win32::Foundation::HANDLE, INFINITE) };
        std::process::exit(0);
    });
}

#[cfg(not(any(unix, windows)))]
pub fn limit_memory(_mb: u64) {}

#[cfg(not(any(unix, windows)))]
pub fn die_with_parent() {}
