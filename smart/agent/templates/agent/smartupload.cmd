@echo off
rem SMART smartupload for {{ s.name }} ({{ s.client }}), generated {{ generated }}.
rem Builds K/TE's sysinfo report and {% if upload %}uploads it to SMART{% else %}keeps it for the trip out of the closed network{% endif %}. Secrets: kte-login.cfg, smart.cfg (curl -K).
setlocal EnableExtensions
set "DIR=%~dp0"
set "NAME={{ s.name }}"
set "KTE={{ s.kte_url }}"
set "API={{ api_url }}"
set "KEEP={{ s.keep }}"
set "UPLOAD={% if upload %}1{% else %}0{% endif %}"
set "OUT=%DIR%reports"
set "LOG=%DIR%smartagent.log"
if not exist "%OUT%" mkdir "%OUT%"
cd /d "%DIR%"
for /f %%t in ('powershell -NoProfile -Command "(Get-Date).ToUniversalTime().ToString('yyyyMMddTHHmmssZ')"') do set "STAMP=%%t"
del /q "%DIR%cookies.txt" "%DIR%sysinfo.part" 2>nul

rem Sign in (no redirect is followed: the main page would take a licence seat), then build the report.
set "CODE=000"
for /f %%c in ('curl.exe -sS --fail-with-body -A smartdownload -K "%DIR%kte-login.cfg" -c "%DIR%cookies.txt" --max-time 60 -o NUL -w "%%{http_code}" "%KTE%/users/login"') do set "CODE=%%c"
call :checkfetch sign-in "302 303" || exit /b 1
set "CODE=000"
for /f %%c in ('curl.exe -sS --fail-with-body -A smartdownload -b "%DIR%cookies.txt" -d type=zip --max-time 1800 -o "%DIR%sysinfo.part" -w "%%{http_code}" "%KTE%/sysinfo/si_save_request"') do set "CODE=%%c"
call :checkfetch sysinfo "200" || exit /b 1
curl.exe -sS -A smartdownload -b "%DIR%cookies.txt" --max-time 30 -o NUL "%KTE%/users/logout"
del /q "%DIR%cookies.txt" 2>nul
set "FILE=%OUT%\%NAME%-%STAMP%.zip"
move /y "%DIR%sysinfo.part" "%FILE%" >nul
call :keepnewest zip
call :send "%FILE%" "%NAME%.zip"
exit /b %ERRORLEVEL%

:checkfetch
rem %CODE% is 000 when K/TE did not answer at all; any other code is K/TE's answer.
if "%CODE%"=="000" goto unreachable
echo %~2 | findstr /c:"%CODE%" >nul && exit /b 0
echo %DATE% %TIME% smartupload: K/TE refused the %1 request (HTTP %CODE%): nothing is uploaded>>"%LOG%"
del /q "%DIR%sysinfo.part" "%DIR%cookies.txt" 2>nul
exit /b 1

:unreachable
echo %DATE% %TIME% smartupload: K/TE at %KTE% is unreachable: the %1 request got no answer>>"%LOG%"
set "SFILE=%OUT%\%NAME%-%STAMP%.status"
> "%SFILE%" echo # smartupload: K/TE at %KTE% did not answer
>>"%SFILE%" echo kserver_up 0
call :keepnewest status
call :send "%SFILE%" "%NAME%.status"
exit /b 1

:keepnewest
for /f "skip=%KEEP% delims=" %%f in ('dir /b /o-d "%OUT%\*.%1" 2^>nul') do del /q "%OUT%\%%f"
exit /b 0

:send
if not "%UPLOAD%"=="1" exit /b 0
set "UP=000"
for /f %%c in ('curl.exe -sS -K "%DIR%smart.cfg" --max-time 600 -o "%DIR%answer.json" -w "%%{http_code}" -F "file=@%~1;filename=%~2" "%API%"') do set "UP=%%c"
if "%UP%"=="200" goto sent
if "%UP%"=="202" goto sent
echo %DATE% %TIME% smartupload: SMART refused %~2 (HTTP %UP%)>>"%LOG%"
type "%DIR%answer.json">>"%LOG%"
exit /b 1
:sent
echo %DATE% %TIME% smartupload: uploaded %~2>>"%LOG%"
exit /b 0
