export { detectSpeech, speechStem, type SpeechSegment, type SpeechOptions } from './detect';
export { speechProbabilities, vadModelPath, VAD_RATE, VAD_FRAME } from './vad';
