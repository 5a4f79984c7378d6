#!/bin/bash
# run-sendmail.sh [SCENARIOS.tsv] [OUTDIR] [SET_TAG]
# The real-Sendmail run of the bouncescan testbed (see ../shared/testbed and
# README "Development"): installs Debian's sendmail-bin and rsyslog, writes a
# loopback-only Sendmail config whose mailertable routes every test domain to
# the scripted sink (smtp_sink.py) on 127.0.0.1, submits the send plan of
# testbed.py, probes Sendmail's own listener, waits for retries and expiry
# (queue lifetime $LIFETIME s), copies the log and writes truth-sendmail.tsv.
# Idempotent: it wipes the testbed queue and log at the start. Loopback only.
# Installing sendmail-bin removes Postfix or Exim (they conflict as packages).
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
TB="${TESTBED:-$HERE/../../shared/testbed}"      # smtp_sink.py, testbed.py
SCEN="$(realpath "${1:-$TB/scenarios.tsv}")"
OUT="$(realpath -m "${2:-/tmp/testbed-sendmail/out}")"
TAG="${3:-S}"
LIFETIME=${LIFETIME:-150}
WORK=/tmp/testbed-sendmail
LOG=/var/log/testbed-sendmail.log
ETC=/etc/mail-testbed                             # root-owned: Sendmail refuses to build maps in /etc/mail as root
CF=$ETC/sendmail.cf
QDIR=/var/spool/mqueue-testbed
mkdir -p "$OUT" "$WORK" "$ETC"; chmod 755 "$ETC"
# Sendmail wants a qualified host name and sleeps a minute on each start when
# the machine's own is not; it runs in a UTS namespace named mta.testbed.test
sm() { unshare --uts sh -c 'hostname mta.testbed.test && exec /usr/sbin/sendmail "$@"' sm -C $CF -L sm-mta "$@"; }
[ -f "$TB/testbed.py" ] || { echo "no testbed.py in $TB (set TESTBED=)" >&2; exit 1; }

if ! dpkg -s sendmail-bin 2>/dev/null | grep -q '^Status: install ok installed' || ! command -v rsyslogd >/dev/null || ! command -v procmail >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y sendmail-bin rsyslog procmail || exit 1
fi

# stop what an earlier run left (only the pids this script wrote)
for f in $WORK/sendmail.pid $WORK/rsyslog.pid /tmp/testbed-sink.pid; do
  [ -f "$f" ] && kill "$(head -1 "$f")" 2>/dev/null
  rm -f "$f"
done
sleep 1

# syslog: mail.* to one file, classic format (what Debian's rsyslog writes)
cat > $WORK/rsyslog.conf <<EOC
module(load="imuxsock" SysSock.Name="/dev/log")
\$FileCreateMode 0644
mail.*	$LOG
EOC
rm -f $LOG
rsyslogd -f $WORK/rsyslog.conf -i $WORK/rsyslog.pid || exit 1

# routing: every test domain to the sink; isolated scenarios to their own port,
# through one mailer per port (Sendmail's mailertable has no port field)
python3 "$HERE/sendmail_testbed.py" routes --testbed "$TB" --scenarios "$SCEN" \
  --mailertable $ETC/mailertable --mailers $WORK/mailers.m4 || exit 1
makemap hash $ETC/mailertable < $ETC/mailertable || exit 1

cat > $WORK/testbed.mc <<EOC
divert(-1)
include(\`/usr/share/sendmail/cf/m4/cf.m4')dnl
VERSIONID(\`bouncescan testbed')dnl
OSTYPE(\`debian')dnl
define(\`confDOMAIN_NAME', \`mta.testbed.test')dnl
define(\`ALIAS_FILE', \`$ETC/aliases')dnl
define(\`confSERVICE_SWITCH_FILE', \`/etc/mail/service.switch-nodns')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`QUEUE_DIR', \`$QDIR')dnl
define(\`confPID_FILE', \`$WORK/sendmail.pid')dnl
define(\`confLOG_LEVEL', \`9')dnl
define(\`confTO_QUEUERETURN', \`${LIFETIME}s')dnl
define(\`confTO_QUEUEWARN', \`1d')dnl
define(\`confMIN_QUEUE_AGE', \`15s')dnl
define(\`confTO_CONNECT', \`10s')dnl
define(\`confTO_ICONNECT', \`10s')dnl
define(\`confTO_INITIAL', \`10s')dnl
define(\`confTO_HELO', \`10s')dnl
define(\`confTO_MAIL', \`10s')dnl
define(\`confTO_RCPT', \`10s')dnl
define(\`confTO_DATAINIT', \`10s')dnl
define(\`confTO_DATABLOCK', \`10s')dnl
define(\`confTO_DATAFINAL', \`15s')dnl
define(\`confTO_COMMAND', \`30s')dnl
define(\`confHOST_STATUS_DIRECTORY', \`')dnl
define(\`confMAX_MESSAGE_SIZE', \`10240000')dnl
define(\`ESMTP_MAILER_ARGS', \`TCP \$h 2525')dnl
define(\`SMTP_MAILER_ARGS', \`TCP \$h 2525')dnl
FEATURE(\`local_procmail', \`/usr/bin/procmail')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`accept_unresolvable_domains')dnl
FEATURE(\`mailertable', \`hash -o $ETC/mailertable')dnl
DAEMON_OPTIONS(\`Family=inet, Name=MTA-v4, Port=smtp, Addr=127.0.0.1')dnl
LOCAL_CONFIG
Cwmta.testbed.test
Cwlocalhost
MAILER(\`local')dnl
MAILER(\`smtp')dnl
include(\`$WORK/mailers.m4')dnl
EOC
m4 $WORK/testbed.mc > $CF || exit 1
# clean start
rm -rf $QDIR; mkdir -p $QDIR; chmod 700 $QDIR
printf 'postmaster: root\nMAILER-DAEMON: postmaster\n' > $ETC/aliases
sm -bi

# the sink
python3 "$TB/smtp_sink.py" --scenarios "$SCEN" --port 2525 --iso-base 2600 --log "$OUT/sink-sendmail.log" &
echo $! > /tmp/testbed-sink.pid
sleep 1
# the MTA: listener on 127.0.0.1:25, a queue run every 20 s
sm -bd -q20s || exit 1
sleep 2
# submissions go straight into the MTA's queue (no MSP hop)
cat > $WORK/sendmail <<EOC
#!/bin/sh
exec unshare --uts sh -c 'hostname mta.testbed.test && exec /usr/sbin/sendmail -C $CF -L sm-mta "\$@"' sm "\$@"
EOC
chmod +x $WORK/sendmail

T0=$(date +%s)
python3 "$TB/testbed.py" send --scenarios "$SCEN" --mta postfix --sendmail $WORK/sendmail --out "$OUT" --set-tag "$TAG"
python3 "$HERE/sendmail_testbed.py" inbound --out "$OUT" --set-tag "$TAG"
sleep 40; sm -q
sleep 40; sm -q
while [ $(( $(date +%s) - T0 )) -lt $((LIFETIME + 10)) ]; do sleep 5; done
sm -q; sleep 35
sm -q; sleep 25
sm -bp | tail -3

cp $LOG "$OUT/maillog"
python3 "$HERE/sendmail_testbed.py" truth --testbed "$TB" --scenarios "$SCEN" --out "$OUT" \
  --log "$OUT/maillog" --log-name maillog --truth "$OUT/truth-sendmail.tsv"
# stop what this run started
kill "$(head -1 $WORK/sendmail.pid)" 2>/dev/null
kill "$(cat /tmp/testbed-sink.pid)" 2>/dev/null; rm -f /tmp/testbed-sink.pid
kill "$(cat $WORK/rsyslog.pid)" 2>/dev/null
echo "done: $OUT"
