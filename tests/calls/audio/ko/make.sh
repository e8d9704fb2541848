#!/usr/bin/env bash
# Make the Korean caller audio of the replay cases: espeak-ng speech as 8 kHz mono 16-bit WAV,
# the format of a Twilio recording. No padding: the small Korean model, which has no [unk],
# forces leading silence onto grammar words.
set -euo pipefail
cd "$(dirname "$0")"
say() {  # say FILE WORDS [espeak-ng options]
  espeak-ng -v ko "${@:3}" -w "/tmp/ivr-ko-$1" "$2"
  sox "/tmp/ivr-ko-$1" -r 8000 -c 1 -b 16 "$1"
  rm -f "/tmp/ivr-ko-$1"
}
say ne.wav 네
say ye.wav 예
say aniyo.wav 아니요 -s 160 -p 40  # heard at 0.78 rather than 0.6 at the default speed
say gyeryanggi.wav 계량기
say sangdamwon.wav 상담원
sox -n -r 8000 -c 1 -b 16 hum.wav synth 1 sine 200 vol 0.3
