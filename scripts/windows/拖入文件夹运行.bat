@echo off
rem 把装有自评材料的文件夹拖到本文件图标上：用默认设置读取、核对，结果写在该文件夹旁边的“文件夹名-汇总结果”中。
chcp 936 >nul
if "%~1"=="" (
    echo 请把装有自评材料的文件夹拖到本文件的图标上（或拖到 jixiao.exe 上）。
    pause
    exit /b 1
)
"%~dp0jixiao.exe" "%~1"
