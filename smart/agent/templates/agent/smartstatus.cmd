@echo off
rem SMART smartstatus for {{ s.name }} ({{ s.client }}), generated {{ generated }}.
rem Reads K/TE's /sysmon/metrics with its Date header and {% if upload %}uploads them to SMART{% else %}keeps them{% endif %}. Secrets: kte-metrics.cfg, smart.cfg.
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
set "FILE=%OUT%\%NAME%-%STAMP%.status"
del /q "%DIR%headers.part" "%DIR%metrics.part" 2>nul
set "CODE=000"
for /f %%c in ('curl.exe -sS -K "%DIR%kte-metrics.cfg" -A smartdownload --max-time 60 -D "%DIR%headers.part" -o "%DIR%metrics.part" -w "%%{http_code}" "%KTE%/sysmon/metrics"') do set "CODE=%%c"
if "%CODE%"=="404" for /f %%c in ('curl.exe -sS -A smartdownload --max-time 60 -D "%DIR%headers.part" -o "%DIR%metrics.part" -w "%%{http_code}" "%KTE%/sysinfo/metrics"') do set "CODE=%%c"
if "%CODE%"=="000" (
  echo %DATE% %TIME% smartstatus: K/TE at %KTE% is unreachable>>"%LOG%"
  > "%FILE%" echo # smartstatus: K/TE at %KTE% did not answer
  >>"%FILE%" echo kserver_up 0
) else if not "%CODE%"=="200" (
  echo %DATE% %TIME% smartstatus: K/TE answered HTTP %CODE% to the metrics request>>"%LOG%"
  findstr /i /b "date:" "%DIR%headers.part" > "%FILE%"
  >>"%FILE%" echo kserver_up 1
) else (
  findstr /i /b "date:" "%DIR%headers.part" > "%FILE%"
  type "%DIR%metrics.part" >> "%FILE%"
)
del /q "%DIR%headers.part" "%DIR%metrics.part" 2>nul
for /f "skip=%KEEP% delims=" %%f in ('dir /b /o-d "%OUT%\*.status" 2^>nul') do del /q "%OUT%\%%f"
if not "%UPLOAD%"=="1" exit /b 0
set "UP=000"
for /f %%c in ('curl.exe -sS -K "%DIR%smart.cfg" --max-time 300 -o "%DIR%answer.json" -w "%%{http_code}" -F "file=@%FILE%;filename=%NAME%.status" "%API%"') do set "UP=%%c"
echo %DATE% %TIME% smartstatus: upload of %NAME%.status: HTTP %UP%>>"%LOG%"
if "%UP%"=="200" exit /b 0
if "%UP%"=="202" exit /b 0
exit /b 1
